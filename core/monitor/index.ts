/** The live event monitor (`banco monitor`). */
export { formatEvent, money, type FormatOptions } from './format-event';
export { runMonitor, type MonitorOptions } from './run-monitor';
export { MONITOR_USAGE, parseMonitorArgs, type MonitorSettings } from './monitor-args';
export { isPrinted, type Selection } from './select-events';
