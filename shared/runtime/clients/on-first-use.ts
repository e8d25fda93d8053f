import { tracer } from '../observability';
import { extended, type SdkClient } from './extensions';

/**
 * A client whose SDK module loads when it is first asked for, traced and extended as every client
 * is, built once per process. A function that uses it on every path asks for it at cold start.
 */
export const onFirstUse = <C extends SdkClient>(build: () => Promise<C>): (() => Promise<C>) => {
  let client: Promise<C> | undefined;
  return () => {
    client ??= build().then((built) => extended(tracer.captureAWSv3Client(built)));
    return client;
  };
};
