/**
 * One SDK client per process, built here and injected into the adapters. Endpoints come from the
 * environment only when set (the local cloud sets them); on AWS the SDK's defaults apply.
 *
 * A module per client: the composition imports the one it needs, never this index. esbuild emits a
 * chunk for every `import()` in the modules a bundle reads, and the code that chunk shares with the
 * SDK the entry loads is hoisted into what the cold start reads: through one module, the S3 client's
 * XML protocol and checksums sat in the cold start of functions that never call S3.
 */
export * from './dynamodb';
export * from './extensions';
export * from './s3';
export * from './s3-url-signer';
export * from './sfn';
export * from './sqs';
