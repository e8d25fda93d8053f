import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsCaller } from '../../infra/local/iam/caller';
import { createIamGuard } from '../../infra/local/iam/guard';
import {
  type LocalNames,
  localResourcesOf,
  rolePoliciesOf,
  type SynthesizedDistrict,
  synthesizeDistrict,
  type Template,
} from '../../infra/local/iam/template';
import { createRuntimeLog } from '../../infra/local/log';
import { REPO_ROOT } from '../../infra/local/paths';
import { S3UrlSigner } from '../../shared/adapters/aws/s3-url-signer';
import { FUNCTIONS } from '../../shared/runtime/functions';
import { casesHarness, claimsFor, distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

/**
 * The local IAM check against the real emulators: the intake function's role is read from the
 * synthesized district stack; with it, a report reaches the intake queue; with the one grant that
 * allows `sqs:SendMessage` removed from the template, the same report's send fails with the
 * AccessDeniedException AWS would give, naming the action and the queue.
 */

let emulators: Emulators;
let synthesized: SynthesizedDistrict;
let names: LocalNames;
const log = createRuntimeLog('SILENT');
const intakeCaller = { functionName: 'intake', lambdaName: 'xietong-local-intake' };

/** The template with `action` taken out of every statement of `functionName`'s role. */
const withoutGrant = (template: Template, roleId: string, action: string): Template => {
  const copy = structuredClone(template);
  for (const resource of Object.values(copy.Resources)) {
    const roles = (resource.Properties?.Roles ?? []) as { Ref?: string }[];
    if (resource.Type !== 'AWS::IAM::Policy' || !roles.some((role) => role.Ref === roleId)) continue;
    const document = resource.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] };
    document.Statement = document.Statement.flatMap((statement) => {
      const actions = [statement.Action].flat().filter((a) => a !== action);
      return actions.length === 0 ? [] : [{ ...statement, Action: actions }];
    });
  }
  return copy;
};

const guardFor = (template: Template) =>
  createIamGuard({
    policies: rolePoliciesOf(template, synthesized.roles, localResourcesOf(synthesized.stack, names)),
    mode: 'enforce',
    log,
  });

beforeAll(async () => {
  emulators = await startEmulators();
  synthesized = synthesizeDistrict({
    root: REPO_ROOT,
    district: sandun.config,
    districtFile: `${REPO_ROOT}/districts/sandun.json`,
    functions: FUNCTIONS,
  });
  names = {
    tableName: emulators.tableName,
    intakeQueueUrl: emulators.queues.intakeQueueUrl,
    intakeDeadLetterQueueUrl: emulators.queues.dlqUrl,
    dueCheckQueueUrl: 'http://127.0.0.1:1/000000000000/xietong-test-due-checks',
    notificationQueueUrl: 'http://127.0.0.1:1/000000000000/xietong-test-notifications',
    exportQueueUrl: 'http://127.0.0.1:1/000000000000/xietong-test-export-jobs',
    exportDeadLetterQueueUrl: 'http://127.0.0.1:1/000000000000/xietong-test-export-jobs-dlq',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:xietong-test-timers',
    evidenceBucket: 'xietong-test-evidence',
    exportsBucket: 'xietong-test-exports',
  };
}, 60_000);

afterAll(async () => {
  await emulators?.stop();
});

const queued = async () => {
  const { Attributes } = await emulators.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: emulators.queues.intakeQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
};

describe('IAM enforcement in the local cloud', () => {
  const api = () => casesHarness(emulators);
  const nextPoint = distinctPointsIn(sandun.zone('zijingang')!);
  const report = () => ({
    source: 'patrol',
    category: 'event.household-workshop',
    description: '小区一楼有家庭作坊违规生产',
    location: nextPoint(),
  });

  it('lets the intake function do what its synthesized role allows', async () => {
    const guard = guardFor(synthesized.template);
    guard.extend(emulators.dynamodb);
    guard.extend(emulators.sqs);
    const before = await queued();
    const reply = await runAsCaller(intakeCaller, () =>
      api().report(report(), claimsFor.fieldWorker('joint-team')),
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    expect(await queued()).toBe(before + 1);
    expect(guard.refusals().size).toBe(0);
  });

  it('refuses the intake queue send once the stack no longer grants sqs:SendMessage', async () => {
    const roleId = synthesized.roles.get('intake')!;
    const guard = guardFor(withoutGrant(synthesized.template, roleId, 'sqs:SendMessage'));
    guard.extend(emulators.dynamodb);
    guard.extend(emulators.sqs);
    const before = await queued();
    const reply = await runAsCaller(intakeCaller, () =>
      api().report(report(), claimsFor.fieldWorker('joint-team')),
    );
    expect(reply.status).toBe(500);
    expect(await queued()).toBe(before);
    const queueArn = `arn:aws:sqs:us-east-1:000000000000:xietong-test-intake.fifo`;
    expect([...guard.refusals().keys()]).toEqual([`intake sqs:SendMessage ${queueArn}`]);

    // The error itself, as the SDK call surfaces it to the adapter.
    const denied = await runAsCaller(intakeCaller, () =>
      api().queue.enqueue({ caseId: 'c-denied', correlationId: 'denied', area: 'wtmkq0' }),
    ).catch((error: unknown) => error);
    expect(denied).toMatchObject({
      name: 'AccessDenied',
      __type: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::000000000000:assumed-role/${roleId}/xietong-local-intake is not authorized to perform: sqs:SendMessage on resource: ${queueArn} because no identity-based policy allows the sqs:SendMessage action`,
    });
  });

  it('refuses a DynamoDB action no role statement names, with DynamoDB’s AccessDeniedException', async () => {
    const guard = guardFor(synthesized.template);
    guard.extend(emulators.dynamodb);
    const denied = await runAsCaller({ functionName: 'meta', lambdaName: 'xietong-local-meta' }, () =>
      emulators.documents.send(
        new PutCommand({ TableName: emulators.tableName, Item: { pk: 'x', sk: 'y' } }),
      ),
    ).catch((error: unknown) => error);
    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      __type: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    expect((denied as Error).message).toContain(
      'is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/xietong-test-cases',
    );
  });

  it('checks an S3 link or upload form when it is signed, as the call it grants', async () => {
    const guard = guardFor(synthesized.template);
    const signer = new S3UrlSigner({
      region: async () => 'us-east-1',
      credentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
      endpoint: 'http://127.0.0.1:1',
    });
    guard.extend(signer);
    const form = { bucket: names.evidenceBucket, conditions: [], fields: {}, expiresInSeconds: 60 };
    const attachments = { functionName: 'attachments', lambdaName: 'xietong-local-attachments' };
    await runAsCaller(attachments, () => signer.postForm({ ...form, key: 'cases/C1/A1' }));
    await runAsCaller(attachments, () =>
      signer.getObjectUrl({ bucket: names.evidenceBucket, key: 'cases/C1/A1', expiresInSeconds: 60 }),
    );
    expect(guard.refusals().size).toBe(0);

    const denied = await runAsCaller({ functionName: 'meta', lambdaName: 'xietong-local-meta' }, () =>
      signer.postForm({ ...form, key: 'cases/C1/A2' }),
    ).catch((error: unknown) => error);
    expect(denied).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect([...guard.refusals().keys()]).toEqual([
      `meta s3:PutObject arn:aws:s3:::${names.evidenceBucket}/cases/C1/A2`,
    ]);
  });

  it('does not check the local runtime’s own calls (outside any invocation)', async () => {
    const guard = guardFor(
      withoutGrant(synthesized.template, synthesized.roles.get('intake')!, 'sqs:SendMessage'),
    );
    guard.extend(emulators.sqs);
    const before = await queued();
    await api().queue.enqueue({ caseId: 'c-runtime', correlationId: 'runtime', area: 'wtmkq0' });
    expect(await queued()).toBe(before + 1);
    expect(guard.refusals().size).toBe(0);
  });
});
