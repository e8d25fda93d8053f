import { JOINT_VISIT_ID_PATTERN, JOINT_VISIT_STATUSES } from '../domain/joint-visit';
import * as z from '../validation/zod';
import { lazySchema } from './lazy-schema';

/** Requests of the joint-visit and premises routes (strict, like every request schema). */

const limit = /* @__PURE__ */ lazySchema(() =>
  z.optional(
    z.pipe(
      z.pipe(z.string().check(z.regex(/^[0-9]{1,3}$/, 'an integer from 1 to 100')), z.transform(Number)),
      z.number().check(z.int(), z.gte(1), z.lte(100)),
    ),
  ),
);
const cursor = /* @__PURE__ */ lazySchema(() =>
  z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
);

export const JointVisitId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(JOINT_VISIT_ID_PATTERN, 'a joint visit id as the API returns it')),
);

export const PremisesId = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.regex(/^P-(ref|addr|cell)-[A-Za-z0-9_-]{1,40}$/, 'a premises id as a case carries it (premisesId)'),
    ),
);

export const JointVisitListQuery = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    status: z
      ._default(z.enum(JOINT_VISIT_STATUSES), 'planned')
      .check(z.describe('The work queue to list; planned by default')),
    limit: limit(),
    cursor: cursor(),
  }),
);

export const PremisesQuery = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ limit: limit(), cursor: cursor() }),
);

const expectedVersion = /* @__PURE__ */ lazySchema(() =>
  z
    .optional(z.number().check(z.int(), z.positive()))
    .check(z.describe("The visit's version the client saw; stale versions are refused with 409")),
);

export const JOINT_VISIT_BODIES = {
  confirm: /* @__PURE__ */ lazySchema(() =>
    z
      .strictObject({ expectedVersion: expectedVersion() })
      .check(z.describe('The command centre confirms a proposed visit')),
  ),
  accept: /* @__PURE__ */ lazySchema(() =>
    z
      .strictObject({
        note: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(2000))),
        expectedVersion: expectedVersion(),
      })
      .check(
        z.describe('The joint team takes the visit on: every covered case is accepted by its own department'),
      ),
  ),
  resolve: /* @__PURE__ */ lazySchema(() =>
    z
      .strictObject({
        result: z.string().check(z.trim(), z.minLength(1), z.maxLength(2000)),
        expectedVersion: expectedVersion(),
      })
      .check(z.describe('The joint team reports the result: every covered case is handled with it')),
  ),
} as const;

export type JointVisitCommand = keyof typeof JOINT_VISIT_BODIES;
