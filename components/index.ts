export {LossCurve, lossCurveHeight, seriesColors} from "./lossCurve.js";
export type {CurveSeries, LossCurveElement, LossCurveOptions} from "./lossCurve.js";
export {DecisionMargin} from "./decisionMargin.js";
export type {DecisionData, DecisionMarginElement, DecisionMarginOptions} from "./decisionMargin.js";
export {EmbeddingPlot, marginWedges} from "./embeddingPlot.js";
export type {
  AngularMargin,
  EmbeddingData,
  EmbeddingPlotElement,
  EmbeddingPlotOptions,
  MarginWedge,
  MinedPairs
} from "./embeddingPlot.js";
export {EmbeddingSphere, sphereFigure} from "./embeddingSphere.js";
export type {
  EmbeddingSphereElement,
  EmbeddingSphereOptions,
  SphereCamera,
  SphereData,
  SphereFigure
} from "./embeddingSphere.js";
export {
  armColor,
  armColors,
  baselineColor,
  classColor,
  classColors,
  classRgb,
  methodColor,
  unknownColor
} from "./internal/palette.js";
export type {ComponentElement, ComponentFunction} from "./internal/component.js";
export type {Renderer} from "./internal/context.js";
// Controls and page furniture (lead-owned).
export {paramsForm} from "./controls/paramsForm.js";
export type {ParamsFormElement, ParamsFormOptions} from "./controls/paramsForm.js";
export {Player} from "./controls/player.js";
export type {PlayerElement, PlayerOptions, RunState} from "./controls/player.js";
export {BackendPicker} from "./controls/backendPicker.js";
export type {BackendPickerElement} from "./controls/backendPicker.js";
export {ClaimTable} from "./claimTable.js";
export type {ClaimTableElement} from "./claimTable.js";
export {tex} from "./internal/tex.js";
export {LossReference, codeUrl, matchesQuery} from "./lossReference.js";
export type {LossReferenceData, LossReferenceElement, LossReferenceOptions} from "./lossReference.js";
export {ExportMenu, csvFormat, svgMarkup, pngBlob, downloadFile, fileSlug} from "./internal/export.js";
export type {CanvasLayer, Cell, Exportable, Row} from "./internal/export.js";
export {defineElement, defineAll, toAnywidget, widgets} from "./widgets/index.js";
export type {AnyModel, AttributeParser, LossLabElement, WidgetComponent} from "./widgets/index.js";
export {FlipMatrix, flipRampColor, flipRampPosition, flipRampStart, flipRampEnd, keptColor} from "./flipMatrix.js";
export type {
  FlipMatrixCounts,
  FlipMatrixData,
  FlipMatrixElement,
  FlipMatrixOptions,
  FlipMatrixValue
} from "./flipMatrix.js";
export {FlipCurves, flipCurveMetrics} from "./flipCurves.js";
export type {FlipCurveArm, FlipCurvesElement, FlipCurvesOptions, FlipMetric} from "./flipCurves.js";
export {ReliabilityDiagram} from "./reliabilityDiagram.js";
export type {
  Binning,
  ReliabilityArm,
  ReliabilityBinsData,
  ReliabilityData,
  ReliabilityDiagramElement,
  ReliabilityDiagramOptions,
  ReliabilityValue
} from "./reliabilityDiagram.js";
export {ConfusionMatrix} from "./confusionMatrix.js";
export type {
  ConfusionCell,
  ConfusionMatrixData,
  ConfusionMatrixElement,
  ConfusionMatrixOptions
} from "./confusionMatrix.js";
export {MarginHistogram, marginBins, marginEdges} from "./marginHistogram.js";
export type {
  MarginArm,
  MarginBins,
  MarginHistogramData,
  MarginHistogramElement,
  MarginHistogramOptions
} from "./marginHistogram.js";
export {PerClassBars} from "./perClassBars.js";
export type {
  PerClassArm,
  PerClassBarsData,
  PerClassBarsElement,
  PerClassBarsOptions,
  PerClassMetric
} from "./perClassBars.js";
export {
  LossContour,
  currentPoint,
  gridMinima,
  gridSize,
  gridValueAt,
  landscapeColorscale,
  landscapeDomain,
  landscapeRamp,
  lossLevels,
  planeAxes,
  planeCaption
} from "./lossContour.js";
export type {
  GridCell,
  LandscapeData,
  LandscapeGrid,
  LandscapePlane,
  LandscapeTrajectory,
  LossContourElement,
  LossContourOptions
} from "./lossContour.js";
export {LossSurface, surfaceCamera, surfaceFigure} from "./lossSurface.js";
export type {LossSurfaceElement, LossSurfaceOptions, SurfaceFigure} from "./lossSurface.js";
export {LossSlice, sliceValueAt} from "./lossSlice.js";
export type {LossSliceElement, LossSliceOptions, SliceCurve, SliceData} from "./lossSlice.js";
// DatasetEquity notebook (card 19): per-group bars and the cluster/weight map.
export {GroupBars} from "./groupBars.js";
export type {GroupBarsArm, GroupBarsData, GroupBarsElement, GroupBarsGroup, GroupBarsOptions} from "./groupBars.js";
export {ClusterWeights} from "./clusterWeights.js";
export type {ClusterWeightsData, ClusterWeightsElement, ClusterWeightsOptions} from "./clusterWeights.js";
export {GroupHistogram, groupBins} from "./groupHistogram.js";
export type {
  GroupBins,
  GroupHistogramData,
  GroupHistogramElement,
  GroupHistogramOptions,
  HistogramGroup
} from "./groupHistogram.js";
// Multi-similarity notebook (card 30): pair weight against similarity for one batch.
export {PairWeights} from "./pairWeights.js";
export type {PairWeightsData, PairWeightsElement, PairWeightsOptions} from "./pairWeights.js";
