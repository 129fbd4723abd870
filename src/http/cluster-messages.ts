/** IPC between the cluster primary and its workers. */
export const METRICS_REQUEST = 'keyscope:metrics';
export const METRICS_REPLY = 'keyscope:metrics-reply';
/** The primary asks one worker for its own registry (as prom-client's getMetricsAsJSON). */
export const WORKER_METRICS_REQUEST = 'keyscope:worker-metrics';
export const WORKER_METRICS_REPLY = 'keyscope:worker-metrics-reply';
