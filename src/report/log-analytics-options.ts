/** The `--log-analytics`, `--dcr` and `--stream` options, checked before anything runs (bad ones exit 2). */

export const DEFAULT_STREAM = 'Custom-AmlPreflight_CL';

export interface LogAnalyticsTarget {
  /** The data collection endpoint's logs ingestion URL (`https://<dce>.<region>-1.ingest.monitor.azure.com`). */
  readonly endpoint: string;
  /** The data collection rule's immutable id (`dcr-…`). */
  readonly dcr: string;
  readonly stream: string;
}

/** Checks the options before anything runs: bad ones are usage errors (exit 2). */
export function logAnalyticsTarget(
  endpoint: string | undefined,
  dcr: string | undefined,
  stream: string | undefined,
): LogAnalyticsTarget | string | undefined {
  if (endpoint === undefined)
    return dcr !== undefined || stream !== undefined ? '--dcr and --stream go with --log-analytics <data collection endpoint>' : undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `--log-analytics "${endpoint}" is not a URL (the data collection endpoint's logs ingestion URL)`;
  }
  if (url.protocol !== 'https:') return `--log-analytics "${endpoint}" must be an https URL`;
  if (dcr === undefined) return "--log-analytics needs --dcr <immutable id> (dcr-…, on the data collection rule's JSON view)";
  if (!/^dcr-[0-9a-f]{32}$/.test(dcr)) return `--dcr "${dcr}" is not a data collection rule immutable id (dcr- and 32 hex digits)`;
  const s = stream ?? DEFAULT_STREAM;
  if (!/^(Custom|Microsoft)-[\w-]+$/.test(s))
    return `--stream "${s}" is not a stream name (Custom-<table>, as the data collection rule declares it)`;
  return { endpoint: url.origin + url.pathname.replace(/\/+$/, ''), dcr, stream: s };
}
