import { FIGURES } from '../domain/evaluation';
import type { z } from '../validation/zod';
import { EvaluationQuery, ExportQuery, FiguresQuery, HotspotsQuery } from './evaluation-schemas';
import type { LazySchema } from './lazy-schema';
import { jsonSchemaOf, problemResponses } from './openapi-parts';

/** The evaluation part of the OpenAPI document (figures, hotspots, exports), from the validating schemas. */
const queryParameters = (query: LazySchema<z.ZodMiniType>, required: string[] = []) =>
  Object.entries((jsonSchemaOf(query) as { properties: Record<string, unknown> }).properties).map(
    ([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }),
  );

const figureList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'numerator', 'value'],
    properties: {
      id: { enum: FIGURES.map((f) => f.id) },
      numerator: { type: 'number' },
      denominator: { type: 'number' },
      value: {
        type: ['number', 'null'],
        description: 'Rate 0–1, average (minutes) or count; null when nothing to divide by',
      },
    },
  },
};

const file = (description: string, type: string) => ({
  200: { description, content: { [type]: { schema: { type: 'string', format: 'binary' } } } },
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const exportOperation = (summary: string, type: string) => ({
  summary,
  description:
    'Answered inline up to 5,000 rows; bigger, a JSON download link (while the read fits in the request); ' +
    'beyond that 413 (read_time, max_rows). POST /v1/exports builds any size as a job.',
  parameters: queryParameters(ExportQuery),
  responses: {
    ...file('The file (up to 5,000 rows), Chinese headers, personal data masked for this reader', type),
    ...problemResponses(400, 401, 403, 413),
  },
});

/** The operation of an evaluation route, or undefined for any other route. */
export const evaluationOperation = (method: string, path: string): Record<string, unknown> | undefined => {
  if (method !== 'GET') return undefined;
  switch (path) {
    case '/v1/metrics':
      return {
        summary:
          "The evaluation figures of a period (district days), within the caller's scope, optionally grouped; read from the materialized aggregates, never from the cases",
        parameters: queryParameters(FiguresQuery, ['from', 'to']),
        responses: {
          200: {
            description: 'Totals and groups',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    from: { type: 'string' },
                    to: { type: 'string' },
                    groupBy: { type: 'string' },
                    total: {
                      type: 'object',
                      properties: { figures: figureList, counters: { type: 'object' } },
                    },
                    groups: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          key: { type: 'string' },
                          figures: figureList,
                          counters: { type: 'object' },
                        },
                      },
                    },
                    itemsRead: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...problemResponses(400, 401, 403),
        },
      };
    case '/v1/metrics/hotspots':
      return {
        summary: 'Geohash cells (about 150 m) with the most reports, and premises with repeated cases',
        parameters: queryParameters(HotspotsQuery, ['from', 'to']),
        responses: {
          200: {
            description: 'Hotspots, most first',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          ...problemResponses(400, 401, 403),
        },
      };
    case '/v1/exports/cases.csv':
      return exportOperation(
        'The case list as CSV (UTF-8 with BOM), with the filters of GET /v1/cases',
        'text/csv',
      );
    case '/v1/exports/cases.xlsx':
      return exportOperation('The case list as an Excel workbook, with the filters of GET /v1/cases', XLSX);
    case '/v1/exports/evaluation.xlsx':
      return {
        summary:
          'The monthly evaluation workbook (月度考评表): one sheet per figure group, by department and zone',
        parameters: queryParameters(EvaluationQuery, ['month']),
        responses: { ...file('The workbook', XLSX), ...problemResponses(400, 401, 403) },
      };
    default:
      return undefined;
  }
};
