/**
 * The report (DESIGN §5): aggregation with bootstrap intervals, Vega-Lite plots rendered
 * in Node, and self-contained HTML pages. collect calls `writeReport` after writing
 * runs.csv and results.csv; `bargain report` calls it on its own.
 */
export {
  aggregate,
  toRunRecords,
  METRICS,
  SEAT_METRICS,
  type Aggregates,
  type AggregateOptions,
  type Group,
  type SeatGroup,
} from './aggregate.ts';
export { aggregateRows, aggregatesCsv, aggregatesJson, summarySection, AGGREGATE_COLUMNS } from './aggregate-files.ts';
export { buildChartSpecs, type ChartDef } from './charts.ts';
export { renderCharts, renderSvg, svgToPng, type RenderedChart } from './render.ts';
export { writeReport, writeVisualizeScript, type ReportOutput, type WriteReportOptions } from './write.ts';
