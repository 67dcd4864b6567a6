/**
 * Azure Monitor's Logs Ingestion API on the mock's host, as a data collection endpoint serves it:
 * `POST /dataCollectionRules/{immutable id}/streams/{stream}`, gzip or plain JSON, an array of
 * rows, at most 1 MB once inflated. It stands behind a bearer token and an api-version, not ARM.
 * https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview
 * https://learn.microsoft.com/azure/azure-monitor/service-limits#logs-ingestion-api
 */
import { gunzipSync } from 'node:zlib';
import { header, json, type MockResponse, type MockService, type RouteRequest } from '../../core/index.js';

/** Rows one Logs Ingestion request carried. */
export interface IngestedBatch {
  readonly dcr: string;
  readonly stream: string;
  readonly rows: readonly Record<string, unknown>[];
}

export interface MonitorIngestionState {
  /** Every upload accepted, in arrival order. */
  readonly ingested: readonly IngestedBatch[];
}

export const monitorIngestion: MockService<MonitorIngestionState> = {
  name: 'monitor-ingestion',
  register(app) {
    const ingested: IngestedBatch[] = [];
    app.route({
      method: 'POST',
      path: /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/i,
      frontDoor: 'authenticated',
      handle: (req) => ingest(req, ingested),
    });
    return { ingested };
  },
};

function ingest(req: RouteRequest, ingested: IngestedBatch[]): MockResponse {
  const dcr = decodeURIComponent(req.match[1]!);
  const stream = decodeURIComponent(req.match[2]!);
  const fail = (status: number, code: string, message: string): MockResponse => json(status, { error: { code, message } });
  if (!/^dcr-[0-9a-f]{32}$/.test(dcr)) return fail(404, 'NotFound', `Data collection rule with immutable Id '${dcr}' not found.`);
  if (!/^(Custom|Microsoft)-[\w-]+$/.test(stream))
    return fail(400, 'InvalidStream', `Stream '${stream}' is not declared in the data collection rule.`);
  let bytes = req.raw.rawBody ?? Buffer.from(req.raw.body ?? '', 'utf8');
  if (/gzip/i.test(header(req.raw, 'content-encoding') ?? '')) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return fail(400, 'InvalidContentEncoding', 'The request body is not valid gzip.');
    }
  }
  if (bytes.length > 1024 * 1024)
    return fail(413, 'ContentLengthLimitExceeded', `The request is ${bytes.length} bytes; the limit is 1 MB.`);
  let rows: unknown;
  try {
    rows = JSON.parse(bytes.toString('utf8'));
  } catch {
    return fail(400, 'InvalidJson', 'The request body is not valid JSON.');
  }
  if (!Array.isArray(rows)) return fail(400, 'InvalidPayload', 'The request body must be a JSON array of rows.');
  ingested.push({ dcr, stream, rows: rows as Record<string, unknown>[] });
  return { status: 204, headers: {} };
}
