// @vitest-environment jsdom
import {afterEach, describe, expect, test, vi} from "vitest";
import {
  EmbeddingSphere,
  cameraFromEye,
  projector,
  sphereCamera,
  sphereFigure
} from "../../../components/embeddingSphere.js";
import type {SphereData} from "../../../components/embeddingSphere.js";

// plotly.js is replaced by a recorder; `loaded` tells whether anything imported it.
const plotly = vi.hoisted(() => {
  const state = {
    loaded: false,
    handlers: new Map<string, (event: Record<string, unknown>) => void>(),
    react: null as unknown as ReturnType<typeof vi.fn>,
    purge: null as unknown as ReturnType<typeof vi.fn>
  };
  return state;
});

vi.mock("plotly.js-dist-min", () => {
  plotly.loaded = true;
  plotly.react = vi.fn(async (root: HTMLElement & {on?: unknown}) => {
    root.on = (name: string, callback: (event: Record<string, unknown>) => void) => plotly.handlers.set(name, callback);
    return root;
  });
  plotly.purge = vi.fn();
  return {default: {react: plotly.react, purge: plotly.purge}};
});

afterEach(() => {
  plotly.react?.mockClear();
  plotly.purge?.mockClear();
  plotly.handlers.clear();
});

/** Six points: two per class on the axes, one misclassified, with weights along the axes. */
function data(): SphereData {
  return {
    classes: 3,
    points: {
      x: Float32Array.from([1, 0, 0, 0.6, 0.8, 0, 0, 1, 0, 0, 0.8, -0.6, 0, 0, 1, 0, 0, -1]),
      label: Int32Array.from([0, 0, 1, 1, 2, 2]),
      predicted: Int32Array.from([0, 1, 1, 1, 2, 2]),
      loss: Float32Array.from([0.1, 1.25, 0.2, 0.3, 0.4, 0.5]),
      ids: Int32Array.from([20, 21, 22, 23, 24, 25])
    },
    weights: Float32Array.from([2, 0, 0, 0, 3, 0, 0, 0, 0.5])
  };
}

// This must run first: nothing so far has loaded plotly, although this file imports the component module.
test("importing embeddingSphere.js, building figures and drawing the static view do not load plotly", () => {
  expect(plotly.loaded).toBe(false);
  sphereFigure(data());
  const sphere = EmbeddingSphere(data(), {document, renderer: "svg"});
  sphere.toSVG();
  expect(plotly.loaded).toBe(false);
  sphere.destroy();
});

describe("sphereFigure", () => {
  test("sphereFigure(data) has the sphere, one marker trace per class and one line per weight direction", () => {
    const figure = sphereFigure(data(), {pointSize: 6});
    const types = figure.data.map((t) => `${t.type}:${t.name}`);
    expect(types).toEqual([
      "surface:unit sphere",
      "scatter3d:class 0",
      "scatter3d:class 1",
      "scatter3d:class 2",
      "scatter3d:class 0 weight",
      "scatter3d:class 1 weight",
      "scatter3d:class 2 weight"
    ]);
    const class0 = figure.data[1] as {x: number[]; ids: string[]; text: string[]; marker: Record<string, unknown>};
    expect(class0.x).toEqual([1, Math.fround(0.6)]);
    expect(class0.ids).toEqual(["20", "21"]);
    expect(class0.text[1]).toBe("sample 21<br>label 0, predicted 1 (misclassified)<br>loss 1.25");
    expect(class0.marker).toMatchObject({size: 6, color: "#0072B2", symbol: ["circle", "diamond"]});
    // Weights are drawn as unit directions whatever their norm.
    const weight = figure.data[6] as {x: number[]; y: number[]; z: number[]; line: {color: string}};
    expect([weight.x, weight.y, weight.z]).toEqual([
      [0, 0],
      [0, 0],
      [0, 1]
    ]);
    expect(weight.line.color).toBe("#009E73");
  });

  test("sphereFigure's sphere is a translucent unit sphere without hover", () => {
    const surface = sphereFigure(null).data[0] as {x: number[][]; y: number[][]; z: number[][]; opacity: number};
    expect(surface.opacity).toBeLessThan(0.3);
    for (let i = 0; i < surface.x.length; ++i) {
      for (let j = 0; j < surface.x[i].length; ++j) {
        expect(Math.hypot(surface.x[i][j], surface.y[i][j], surface.z[i][j])).toBeCloseTo(1, 5);
      }
    }
    expect(sphereFigure(null).data).toHaveLength(1);
  });

  test("sphereFigure's config keeps plotly offline and its camera follows the options", () => {
    const {layout, config} = sphereFigure(data(), {camera: {azimuth: 90, elevation: 0, distance: 3}});
    expect(config).toMatchObject({
      displaylogo: false,
      showSendToCloud: false,
      typesetMath: false,
      topojsonURL: "",
      showTips: false
    });
    const camera = (layout.scene as {camera: {eye: {x: number; y: number; z: number}; projection: {type: string}}})
      .camera;
    expect(camera.eye.x).toBeCloseTo(0, 12);
    expect(camera.eye.y).toBeCloseTo(3, 12);
    expect(camera.eye.z).toBeCloseTo(0, 12);
    expect(camera.projection.type).toBe("orthographic");
    expect(layout.uirevision).toBeTruthy();
    // Points beyond the unit sphere widen the scene.
    const far = data();
    far.points.x[0] = 3;
    const range = ((sphereFigure(far).layout.scene as {xaxis: {range: number[]}}).xaxis.range as number[])[1];
    expect(range).toBeGreaterThan(3);
  });

  test("sphereFigure skips points with non-finite coordinates", () => {
    const d = data();
    d.points.x[1] = NaN;
    expect((sphereFigure(d).data[1] as {x: number[]}).x).toHaveLength(1);
  });
});

describe("camera and projection", () => {
  test("projector(camera) is orthonormal: the eye direction projects to the centre at depth 1, z₃ points up", () => {
    for (const [azimuth, elevation] of [
      [45, 25],
      [-120, 60],
      [0, -30]
    ]) {
      const camera = sphereCamera({azimuth, elevation});
      const project = projector(camera);
      const a = (azimuth * Math.PI) / 180;
      const e = (elevation * Math.PI) / 180;
      const [r, u, d] = project(Math.cos(e) * Math.cos(a), Math.cos(e) * Math.sin(a), Math.sin(e));
      expect([r, u, d].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0, 0, 1]);
      const [, up] = project(0, 0, 1);
      expect(up).toBeCloseTo(Math.cos(e), 12);
      // Lengths are preserved for any vector.
      const v: [number, number, number] = [0.3, -0.5, 0.8];
      expect(Math.hypot(...project(...v))).toBeCloseTo(Math.hypot(...v), 12);
    }
  });

  test("cameraFromEye inverts the eye of sphereFigure's layout", () => {
    const layout = sphereFigure(null, {camera: {azimuth: -150, elevation: 35, distance: 2.5}}).layout;
    const eye = (layout.scene as {camera: {eye: {x: number; y: number; z: number}}}).camera.eye;
    const camera = cameraFromEye(eye)!;
    expect(camera.azimuth).toBeCloseTo(-150, 9);
    expect(camera.elevation).toBeCloseTo(35, 9);
    expect(camera.distance).toBeCloseTo(2.5, 9);
    expect(cameraFromEye({x: 0, y: 0, z: 0})).toBeNull();
  });

  test("sphereCamera wraps the azimuth and keeps the elevation off the poles", () => {
    expect(sphereCamera({azimuth: 370, elevation: 120})).toEqual({azimuth: 10, elevation: 89, distance: 2});
    expect(sphereCamera({azimuth: NaN, distance: -1})).toEqual({azimuth: 45, elevation: 25, distance: 2});
  });
});

describe("EmbeddingSphere, static projection", () => {
  test("EmbeddingSphere is a figure named and described for screen readers, with one keyboard stop", () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "svg", title: "Sphere"});
    expect(sphere.getAttribute("role")).toBe("figure");
    const title = sphere.querySelector(`[id="${sphere.getAttribute("aria-labelledby")}"]`)!;
    const desc = sphere.querySelector(`[id="${sphere.getAttribute("aria-describedby")}"]`)!;
    expect(title.textContent).toBe("Sphere");
    expect(desc.textContent).toContain("3-D view of 6 points");
    expect(desc.textContent).toContain("3 class weight directions");
    expect(desc.textContent).toContain("static projection");
    expect(sphere.querySelector(".view")!.getAttribute("tabindex")).toBe("0");
    expect(sphere.querySelectorAll("svg .points-front circle, svg .points-back circle")).toHaveLength(6);
    expect(sphere.querySelectorAll("svg circle.misclassified")).toHaveLength(1);
  });

  test("arrow keys rotate the static view and 0 resets it; other keys pass through", () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "svg"});
    const view = sphere.querySelector(".view")!;
    const desc = () => sphere.querySelector(`[id="${sphere.getAttribute("aria-describedby")}"]`)!.textContent;
    const positions = () => [...sphere.querySelectorAll("svg circle[fill]")].map((c) => c.getAttribute("cx")).join();
    const before = positions();
    const press = (key: string) => {
      const event = new window.KeyboardEvent("keydown", {key, cancelable: true});
      view.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(press("ArrowLeft")).toBe(true);
    expect(desc()).toContain("azimuth 30°");
    expect(positions()).not.toBe(before);
    press("ArrowDown");
    press("ArrowDown");
    expect(desc()).toContain("elevation −5°");
    press("0");
    expect(desc()).toContain("azimuth 45° and elevation 25°");
    expect(positions()).toBe(before);
    expect(press("x")).toBe(false);
  });

  test("update() keeps the SVG and the point nodes, which move to their new places", () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "svg"});
    const svg = sphere.querySelector("svg");
    const front = sphere.querySelector(".points-front circle");
    const next = data();
    next.points.x[1] = 0.1; // sample 20 moves a little, staying in front
    sphere.update(next, {width: 300});
    expect(sphere.querySelector("svg")).toBe(svg);
    expect(sphere.querySelector(".points-front circle")).toBe(front);
    expect(svg!.getAttribute("width")).toBe("300");
  });

  test("points behind the centre are drawn faded, before the weights", () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "svg", camera: {azimuth: 0, elevation: 0}});
    // Seen from +z₁: sample 20 at (1, 0, 0) faces the viewer; none is behind (x ≥ 0 for all six).
    expect(sphere.querySelectorAll(".points-back circle")).toHaveLength(0);
    sphere.update(data(), {camera: {azimuth: 180}});
    expect(sphere.querySelectorAll(".points-back circle")).toHaveLength(2);
    const groups = [...sphere.querySelector("svg")!.children].map((c) => c.getAttribute("class"));
    expect(groups.indexOf("points-back")).toBeLessThan(groups.indexOf("weights"));
    expect(groups.indexOf("weights")).toBeLessThan(groups.indexOf("points-front"));
  });

  test("toRows() lists id, x, y, z and label per drawn point; toSVG() is standalone SVG", () => {
    const d = data();
    d.points.x[5] = Infinity;
    const sphere = EmbeddingSphere(d, {document, renderer: "svg"});
    const rows = sphere.toRows();
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({id: 20, x: 1, y: 0, z: 0, label: 0});
    expect(rows[1]).toEqual({id: 22, x: 0, y: 1, z: 0, label: 1});
    const markup = sphere.toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new window.DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.querySelector("title")!.textContent).toBe("Embedding sphere");
    expect(parsed.querySelectorAll("circle.outline")).toHaveLength(1);
  });

  test("EmbeddingSphere(null) draws the empty sphere and accepts data later; destroy() stops the keys", () => {
    const sphere = EmbeddingSphere(null, {document, renderer: "svg"});
    expect(sphere.toRows()).toEqual([]);
    expect(sphere.querySelectorAll("svg circle[fill]")).toHaveLength(0);
    sphere.update(data());
    expect(sphere.toRows()).toHaveLength(6);
    sphere.destroy();
    const event = new window.KeyboardEvent("keydown", {key: "ArrowLeft", cancelable: true});
    sphere.querySelector(".view")!.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
  });
});

describe("EmbeddingSphere with plotly", () => {
  test("EmbeddingSphere loads plotly on first use and draws sphereFigure with Plotly.react", async () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "canvas", width: 300});
    expect(plotly.react).toBeNull(); // the import has not finished yet
    await sphere.ready;
    expect(plotly.loaded).toBe(true);
    expect(plotly.react).toHaveBeenCalledTimes(1);
    const [root, traces, layout, config] = plotly.react.mock.calls[0];
    const expected = sphereFigure(data(), {width: 300});
    expect(root).toBe(sphere.querySelector(".view"));
    expect(traces).toEqual(expected.data);
    expect(layout).toEqual(expected.layout);
    expect(config).toEqual(expected.config);
    expect(sphere.querySelector("svg")).toBeNull();
    expect(sphere.querySelector(".view")!.getAttribute("style")).toContain("height: 300px");
    sphere.destroy();
  });

  test("update() redraws with Plotly.react, keys move the camera, destroy() purges and later updates do nothing", async () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "canvas"});
    await sphere.ready;
    const next = data();
    next.points.label[0] = 2;
    sphere.update(next);
    await Promise.resolve();
    expect(plotly.react).toHaveBeenCalledTimes(2);
    const names = (plotly.react.mock.calls[1][1] as {name: string; x?: number[]}[]).map(
      (t) => `${t.name}:${t.x?.length}`
    );
    expect(names.slice(1, 4)).toEqual(["class 0:1", "class 1:2", "class 2:3"]);
    sphere.querySelector(".view")!.dispatchEvent(new window.KeyboardEvent("keydown", {key: "ArrowRight"}));
    await Promise.resolve();
    const eye = (plotly.react.mock.calls[2][2] as {scene: {camera: {eye: {x: number; y: number}}}}).scene.camera.eye;
    expect((Math.atan2(eye.y, eye.x) * 180) / Math.PI).toBeCloseTo(60, 9);
    sphere.querySelector(".view")!.dispatchEvent(new window.KeyboardEvent("keydown", {key: "+"}));
    await Promise.resolve();
    const zoomed = (plotly.react.mock.calls[3][2] as {scene: {camera: {eye: {x: number; y: number; z: number}}}}).scene
      .camera.eye;
    expect(Math.hypot(zoomed.x, zoomed.y, zoomed.z)).toBeCloseTo(2 / 1.2, 9);
    sphere.destroy();
    expect(plotly.purge).toHaveBeenCalledWith(sphere.querySelector(".view"));
    sphere.update(data());
    await Promise.resolve();
    expect(plotly.react).toHaveBeenCalledTimes(4);
  });

  test("a visitor's mouse rotation (plotly_relayout) becomes the camera that toSVG and the keys continue from", async () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "canvas"});
    await sphere.ready;
    plotly.handlers.get("plotly_relayout")!({"scene.camera": {eye: {x: 0, y: -2, z: 0}}});
    expect(sphere.toSVG()).toContain("azimuth −90° and elevation 0°");
    sphere.querySelector(".view")!.dispatchEvent(new window.KeyboardEvent("keydown", {key: "ArrowUp"}));
    await Promise.resolve();
    const eye = (plotly.react.mock.calls.at(-1)![2] as {scene: {camera: {eye: {z: number}}}}).scene.camera.eye;
    expect(eye.z).toBeCloseTo(2 * Math.sin((15 * Math.PI) / 180), 9);
    sphere.destroy();
  });

  test("EmbeddingSphere destroyed before plotly arrives never draws", async () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "canvas"});
    sphere.destroy();
    await sphere.ready;
    expect(plotly.react).not.toHaveBeenCalled();
  });

  test("EmbeddingSphere falls back to the static projection, and says why, when plotly cannot draw", async () => {
    const sphere = EmbeddingSphere(data(), {document, renderer: "canvas"});
    plotly.react?.mockRejectedValueOnce(new Error("WebGL is not available"));
    await sphere.ready;
    expect(sphere.querySelectorAll("svg .points-front circle, svg .points-back circle")).toHaveLength(6);
    const desc = sphere.querySelector(`[id="${sphere.getAttribute("aria-describedby")}"]`)!.textContent;
    expect(desc).toContain("the interactive 3-D view is unavailable (WebGL is not available)");
    sphere.destroy();
  });
});
