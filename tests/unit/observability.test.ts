import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, metrics } from '../../shared/runtime/observability';

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
