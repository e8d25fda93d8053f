import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, metrics, tracer, tracingRecords } from '../../shared/runtime/observability';

/** The log of `npm start` (and of a function on AWS) carries the metrics utility's warnings that matter only. */
describe('metrics warnings', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    metrics.clearMetrics();
    metrics.clearDimensions();
  });

  it('say nothing when an invocation added no metric', () => {
    const warn = vi.spyOn(logger, 'warn');
    metrics.publishStoredMetrics();
    expect(warn).not.toHaveBeenCalled();
  });

  it('still report a dimension CloudWatch would drop', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    metrics.addDimension('zone', '');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('dimension zone'));
  });
});

/** The X-Ray SDK is loaded only where it records: its import costs a cold start as much as a bare handler. */
describe('the tracer', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('records only inside Lambda with tracing on, as Powertools decides', () => {
    expect(tracingRecords({})).toBe(false);
    expect(tracingRecords({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' })).toBe(true);
    expect(
      tracingRecords({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' }),
    ).toBe(false);
    expect(tracingRecords({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingRecords({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
  });

  it('is a stand-in that records nothing elsewhere, handing SDK clients back unchanged', () => {
    const client = { send: () => undefined };
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(tracer.captureAWSv3Client(client)).toBe(client);
  });

  it("is Powertools' tracer, recording, in Lambda with tracing on", async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    const { Tracer } = await import('@aws-lambda-powertools/tracer');
    const fresh = await import('../../shared/runtime/observability');
    expect(fresh.tracer).toBeInstanceOf(Tracer);
    expect(fresh.tracer.isTracingEnabled()).toBe(true);
  });
});
