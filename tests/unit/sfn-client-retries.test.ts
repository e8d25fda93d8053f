import { Readable } from 'node:stream';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { SFN_MAX_ATTEMPTS } from '../../shared/runtime/clients/sfn';

/** Answers StartExecution as Step Functions does: throttled `throttles` times, then started. */
const throttledThen = (throttles: number) => {
  let calls = 0;
  return {
    calls: () => calls,
    handle: async () => {
      calls++;
      const throttled = calls <= throttles;
      const body = throttled
        ? { __type: 'com.amazonaws.swf.service.model#ThrottlingException', message: 'Rate exceeded' }
        : { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:timers:t', startDate: 1 };
      return {
        response: {
          statusCode: throttled ? 400 : 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify(body))]),
        },
      };
    },
  };
};

const start = (handler: ReturnType<typeof throttledThen>, maxAttempts?: number) =>
  new SFNClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: handler,
    ...(maxAttempts !== undefined && { maxAttempts }),
  }).send(
    new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:0:stateMachine:t', name: 't' }),
  );

describe('the Step Functions client’s retries', () => {
  it('starts a timer through three throttles in a row, where the SDK’s default gives up', async () => {
    const patient = throttledThen(SFN_MAX_ATTEMPTS - 1);
    await expect(start(patient, SFN_MAX_ATTEMPTS)).resolves.toMatchObject({
      executionArn: expect.any(String),
    });
    expect(patient.calls()).toBe(SFN_MAX_ATTEMPTS);

    const hasty = throttledThen(3);
    await expect(start(hasty)).rejects.toThrow(/Rate exceeded/);
    expect(hasty.calls()).toBe(3);
  }, 30_000);
});
