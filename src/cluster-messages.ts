/** IPC between the cluster primary and its workers. */
export const METRICS_REQUEST = 'keyscope:metrics';
export const METRICS_REPLY = 'keyscope:metrics-reply';
