/**
 * LossLab's figures as widgets for pages outside the notebooks: custom elements (one script tag, data
 * as a JSON attribute or a property) and anywidget modules (Jupyter, marimo). Loading this module
 * defines every element; the standalone bundle in dist/widgets/ is this module with its dependencies.
 */
import {ConfusionMatrix} from "../confusionMatrix.js";
import {DecisionMargin} from "../decisionMargin.js";
import {EmbeddingPlot} from "../embeddingPlot.js";
import {EmbeddingSphere} from "../embeddingSphere.js";
import {FlipCurves} from "../flipCurves.js";
import {FlipMatrix} from "../flipMatrix.js";
import {LossContour} from "../lossContour.js";
import {LossCurve} from "../lossCurve.js";
import {LossSlice} from "../lossSlice.js";
import {LossSurface} from "../lossSurface.js";
import {MarginHistogram} from "../marginHistogram.js";
import {PerClassBars} from "../perClassBars.js";
import {ReliabilityDiagram} from "../reliabilityDiagram.js";
import {toAnywidget} from "./anywidget.js";
import {defineElement} from "./element.js";
import type {WidgetComponent} from "./element.js";

export {defineElement, toAnywidget};
export type {LossLabElement, WidgetComponent, AttributeParser} from "./element.js";
export type {AnyModel} from "./anywidget.js";

/** Every widget: its custom-element tag and the component it renders. */
export const widgets: Readonly<Record<string, WidgetComponent>> = Object.freeze({
  "losslab-embedding-plot": EmbeddingPlot as WidgetComponent,
  "losslab-embedding-sphere": EmbeddingSphere as WidgetComponent,
  "losslab-decision-margin": DecisionMargin as WidgetComponent,
  "losslab-loss-curve": LossCurve as WidgetComponent,
  "losslab-flip-matrix": FlipMatrix as WidgetComponent,
  "losslab-flip-curves": FlipCurves as WidgetComponent,
  "losslab-reliability-diagram": ReliabilityDiagram as WidgetComponent,
  "losslab-margin-histogram": MarginHistogram as WidgetComponent,
  "losslab-confusion-matrix": ConfusionMatrix as WidgetComponent,
  "losslab-per-class-bars": PerClassBars as WidgetComponent,
  "losslab-loss-contour": LossContour as WidgetComponent,
  "losslab-loss-surface": LossSurface as WidgetComponent,
  "losslab-loss-slice": LossSlice as WidgetComponent
});

/** Defines every LossLab custom element in `window` (the page's by default). */
export function defineAll(window: Parameters<typeof defineElement>[3] = globalThis): void {
  for (const [tag, Component] of Object.entries(widgets)) defineElement(tag, Component, {}, window);
}
