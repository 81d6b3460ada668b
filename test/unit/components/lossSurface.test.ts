// @vitest-environment jsdom
import {afterEach, describe, expect, test, vi} from "vitest";
import {gridValueAt} from "../../../components/lossContour.js";
import type {LandscapeData, LandscapeGrid} from "../../../components/lossContour.js";
import {LossSurface, surfaceCamera, surfaceFigure} from "../../../components/lossSurface.js";

// plotly.js is replaced by a recorder; `loaded` tells whether anything imported it.
const plotly = vi.hoisted(() => ({
  loaded: false,
  fail: false,
  handlers: new Map<string, (event: Record<string, unknown>) => void>(),
  react: null as unknown as ReturnType<typeof vi.fn>,
  purge: null as unknown as ReturnType<typeof vi.fn>
}));

vi.mock("plotly.js-dist-min", () => {
  plotly.loaded = true;
  plotly.react = vi.fn(async (root: HTMLElement & {on?: unknown}) => {
    if (plotly.fail) throw new Error("WebGL is not available");
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
  plotly.fail = false;
});

interface Grid extends LandscapeGrid {
  values: Float32Array;
}

/** L(a, b) = 0.1 + a² + 2b² on a 3 × 2 grid (a ∈ {−1, 0, 1}, b ∈ {0, 1}). */
function grid(): Grid {
  const a = [-1, 0, 1];
  const b = [0, 1];
  return {a, b, values: Float32Array.from(b.flatMap((bj) => a.map((ai) => 0.1 + ai * ai + 2 * bj * bj)))};
}

function data(g: LandscapeGrid = grid()): LandscapeData {
  return {
    grid: g,
    plane: {kind: "pca", label: "PCA of the trajectory", explainedVariance: [0.9, 0.05]},
    trajectory: {a: [-1, -0.5, 0.5, 3], b: [1, 0.5, 0.25, 0]}
  };
}

type Trace = Record<string, unknown> & {name: string; type: string};

// This must run first: nothing so far has loaded plotly, although this file imports the component module.
test("importing lossSurface.js, building figures and drawing the static fallback do not load plotly", () => {
  expect(plotly.loaded).toBe(false);
  surfaceFigure(data());
  const surface = LossSurface(data(), {document, renderer: "svg"});
  surface.toSVG();
  surface.toRows();
  expect(plotly.loaded).toBe(false);
  surface.destroy();
});

describe("surfaceFigure", () => {
  test("surfaceFigure(data) has the surface (rows along b), the trajectory, the current point and the grid minimum", () => {
    const figure = surfaceFigure({...data(), current: {a: 0.5, b: 0.25}});
    const traces = figure.data as Trace[];
    expect(traces.map((t) => `${t.type}:${t.name}`)).toEqual([
      "surface:loss",
      "scatter3d:trajectory",
      "scatter3d:current point",
      "scatter3d:grid minimum"
    ]);
    const surface = traces[0] as Trace & {x: number[]; y: number[]; z: number[][]; customdata: number[][]};
    expect(surface.x).toEqual([-1, 0, 1]);
    expect(surface.y).toEqual([0, 1]);
    expect(surface.z).toEqual([
      [1.1, 0.1, 1.1],
      [3.1, 2.1, 3.1]
    ]);
    expect(surface.customdata).toEqual(surface.z);
    const now = traces[2] as Trace & {z: number[]};
    expect(now.z[0]).toBeCloseTo(gridValueAt(grid(), 0.5, 0.25), 5);
    const minimum = traces[3] as Trace & {x: number[]; y: number[]; z: number[]};
    expect([minimum.x[0], minimum.y[0], minimum.z[0]]).toEqual([0, 0, 0.1]);
  });

  test("the trajectory lies on the surface (bilinear heights); points outside the grid leave gaps", () => {
    const d = data();
    const line = (surfaceFigure(d).data as Trace[])[1] as Trace & {x: unknown[]; z: unknown[]; connectgaps: boolean};
    expect(line.x).toEqual([-1, -0.5, 0.5, null]);
    const expected = [0, 1, 2].map((k) =>
      gridValueAt(d.grid, d.trajectory!.a[k] as number, d.trajectory!.b[k] as number)
    );
    (line.z as number[]).slice(0, 3).forEach((z, k) => expect(z).toBeCloseTo(expected[k], 5));
    expect(line.z[3]).toBeNull();
    expect(line.connectgaps).toBe(false);
    // The current point (the path's last point) is outside the grid, so it is not drawn.
    expect((surfaceFigure(d).data as Trace[]).some((t) => t.name === "current point")).toBe(false);
  });

  test("surfaceFigure(data, {scale: 'log'}) plots log₁₀ of the loss, labels ticks in loss, and leaves holes at non-positive values", () => {
    const g = grid();
    g.values[0] = 0;
    const figure = surfaceFigure(data(g), {scale: "log"});
    const surface = figure.data[0] as {
      z: (number | null)[][];
      customdata: number[][];
      colorbar: Record<string, unknown>;
    };
    expect(surface.z[0][0]).toBeNull();
    expect(surface.z[0][1]).toBeCloseTo(-1, 5);
    expect(surface.z[1][1]).toBeCloseTo(Math.log10(2.1), 5);
    expect(surface.customdata[0][1]).toBeCloseTo(0.1, 6);
    const zaxis = (figure.layout.scene as {zaxis: {title: {text: string}; tickvals: number[]; ticktext: string[]}})
      .zaxis;
    expect(zaxis.title.text).toBe("loss (log scale)");
    expect(zaxis.ticktext.length).toBeGreaterThan(1);
    zaxis.ticktext.forEach((text, k) => expect(10 ** zaxis.tickvals[k]).toBeCloseTo(Number(text), 4));
    expect(surface.colorbar).toMatchObject({ticktext: zaxis.ticktext});
  });

  test("a shared domain fixes the colours (cmin, cmax) whatever the grid holds", () => {
    const surface = surfaceFigure(data(), {domain: [0.01, 10]}).data[0];
    expect(surface).toMatchObject({cmin: 0.01, cmax: 10});
    expect(surfaceFigure(data(), {domain: [0.01, 10], scale: "log"}).data[0]).toMatchObject({cmin: -2, cmax: 1});
  });

  test("the axes are titled from the plane and the camera follows azimuth and elevation", () => {
    const {layout, config} = surfaceFigure(data(), {camera: {azimuth: 90, elevation: 0, distance: 2}});
    const scene = layout.scene as {
      xaxis: {title: {text: string}};
      yaxis: {title: {text: string}};
      camera: {eye: {x: number; y: number; z: number}};
    };
    expect(scene.xaxis.title.text).toBe("PC1 (90.0 % of variance)");
    expect(scene.yaxis.title.text).toBe("PC2 (5.0 % of variance)");
    expect(scene.camera.eye.x).toBeCloseTo(0, 12);
    expect(scene.camera.eye.y).toBeCloseTo(2, 12);
    expect(scene.camera.eye.z).toBeCloseTo(0, 12);
    expect(config).toMatchObject({displaylogo: false, showSendToCloud: false, typesetMath: false, topojsonURL: ""});
    expect(surfaceCamera({elevation: 120}).elevation).toBe(89);
  });

  test("role colours the trajectory by its arm; null data gives an empty scene", () => {
    const line = (surfaceFigure(data(), {role: "baseline"}).data as Trace[])[1] as Trace & {line: {color: string}};
    expect(line.line.color).toBe("#60758F");
    expect(surfaceFigure(null).data).toEqual([]);
  });
});

describe("LossSurface", () => {
  test("renderer 'canvas' loads plotly lazily, draws with react, redraws on update and purges on destroy", async () => {
    const surface = LossSurface(data(), {document, renderer: "canvas"});
    await surface.ready;
    expect(plotly.react).toHaveBeenCalledTimes(1);
    const [root, traces, layout, config] = plotly.react.mock.calls[0];
    expect(root).toBe(surface.querySelector(".view"));
    expect(traces).toEqual(surfaceFigure(data()).data);
    expect(layout).toMatchObject({uirevision: "losslab-loss-surface"});
    expect(config).toMatchObject({displaylogo: false});
    // The caption names the plane above the 3-D view.
    expect(surface.querySelector(".caption")!.textContent).toContain("PC1 explains 90.0 %, PC2 5.0 %");
    surface.update(data(), {scale: "log"});
    await surface.ready;
    await vi.waitFor(() => expect(plotly.react).toHaveBeenCalledTimes(2));
    surface.destroy();
    expect(plotly.purge).toHaveBeenCalledWith(surface.querySelector(".view"));
  });

  test("keyboard: arrows rotate the view by 15°, + and − zoom, 0 resets; the mouse rotation is followed", async () => {
    const surface = LossSurface(data(), {document, renderer: "canvas"});
    await surface.ready;
    const view = surface.querySelector(".view")!;
    const start = surface.camera;
    const press = (key: string) => {
      const event = new window.KeyboardEvent("keydown", {key, bubbles: true, cancelable: true});
      view.dispatchEvent(event);
      return event;
    };
    expect(press("ArrowRight").defaultPrevented).toBe(true);
    expect(surface.camera.azimuth).toBe(start.azimuth + 15);
    press("ArrowUp");
    expect(surface.camera.elevation).toBe(start.elevation + 15);
    press("+");
    expect(surface.camera.distance).toBeCloseTo(start.distance / 1.2, 12);
    press("0");
    expect(surface.camera).toEqual(start);
    expect(press("x").defaultPrevented).toBe(false);
    plotly.handlers.get("plotly_relayout")!({"scene.camera": {eye: {x: 0, y: 0, z: 3}}});
    expect(surface.camera.elevation).toBe(89);
    surface.destroy();
  });

  test("when plotly fails to draw, the static contour map takes its place and the description says why", async () => {
    plotly.fail = true;
    const surface = LossSurface(data(), {document, renderer: "canvas"});
    await surface.ready;
    expect(surface.querySelector(".view svg.losslab-loss-contour")).not.toBeNull();
    const desc = surface.querySelector(`#${surface.getAttribute("aria-describedby")}`)!.textContent!;
    expect(desc).toContain("the interactive 3-D view is unavailable (WebGL is not available)");
    surface.destroy();
  });

  test("the static fallback is a LossContour with log-scaled levels, kept (same node) across updates", () => {
    const surface = LossSurface(data(), {document, renderer: "svg"});
    const contour = surface.querySelector("svg.losslab-loss-contour")!;
    expect(contour.getAttribute("aria-hidden")).toBe("true");
    expect(contour.querySelector(".ramp-label")!.textContent).toBe("loss (log-scaled levels)");
    const bands = [...contour.querySelectorAll(".bands path")];
    const g = grid();
    g.values[0] = 5;
    surface.update(data(g), {scale: "log"});
    expect(surface.querySelector("svg.losslab-loss-contour")).toBe(contour);
    [...contour.querySelectorAll(".bands path")].forEach((p, k) => expect(p).toBe(bands[k]));
    expect(surface.getAttribute("aria-describedby")).toBeTruthy();
    const desc = surface.querySelector(`#${surface.getAttribute("aria-describedby")}`)!.textContent!;
    expect(desc).toContain("height on a log scale");
    expect(desc).toContain("static fallback");
    expect(desc).toContain("PC1 explains 90.0 %");
  });

  test("toSVG is the contour map as standalone SVG; toRows gives (a, b, loss) per grid point", () => {
    const surface = LossSurface(data(), {document, renderer: "svg"});
    const markup = surface.toSVG();
    const parsed = new window.DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.getAttribute("xmlns")).toBe("http://www.w3.org/2000/svg");
    expect(parsed.querySelector(".caption")!.textContent).toContain("Plane: PCA of the trajectory");
    const rows = surface.toRows();
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({a: -1, b: 0, loss: 1.1});
    expect(rows[4]).toEqual({a: 0, b: 1, loss: 2.1});
  });

  test("null data: an empty view and no rows; update fills it", () => {
    const surface = LossSurface(null, {document, renderer: "svg"});
    expect(surface.toRows()).toEqual([]);
    expect(surface.querySelectorAll(".bands path")).toHaveLength(0);
    surface.update(data());
    expect(surface.querySelectorAll(".bands path").length).toBeGreaterThan(0);
    surface.destroy();
    surface.update(null);
    expect(surface.querySelectorAll(".bands path").length).toBeGreaterThan(0);
  });
});
