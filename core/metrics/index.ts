/** Health and Prometheus metrics of the core (docs/metrics.md). */
export { BacklogProbe } from './backlog-probe';
export { loadMetricsConfig, METRICS_PORT_DEFAULT, type MetricsConfig } from './config';
export { CoreMetrics, MOVEMENT_TYPES, type CoreGaugeSources } from './core-metrics';
export { checkHealth, type HealthReport, type HealthSources } from './health';
export { startMetricsServer, type MetricsServer } from './http-server';
export { METRICS_LIMITS } from './limits';
export { meteredPublisher } from './metered-publisher';
