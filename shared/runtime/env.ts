/**
 * The environment variables the handlers read. CDK (`infra/`) sets them on every function and the
 * local cloud (`infra/local/`) sets them on its process, both from this one list.
 */
export const ENV = {
  /** The single DynamoDB table. */
  tableName: 'XT_TABLE_NAME',
  /** SQS queue URL that intake hands reports to and the router consumes. */
  intakeQueueUrl: 'XT_INTAKE_QUEUE_URL',
  /** Path of the district JSON file (relative paths resolve against the working directory). */
  districtFile: 'XT_DISTRICT_FILE',
  /**
   * The only token issuer (`iss`) the handlers accept, checked again behind the API's authorizer:
   * the local issuer's tokens are refused anywhere but the local runtime.
   */
  trustedIssuer: 'XT_TRUSTED_ISSUER',
  /** Names of the verified token's claims that carry role, department and zone. */
  claimRole: 'XT_CLAIM_ROLE',
  claimDepartment: 'XT_CLAIM_DEPARTMENT',
  claimZone: 'XT_CLAIM_ZONE',
  /** The deadline timers' state machine (Step Functions) that commands start executions of. */
  timerStateMachineArn: 'XT_TIMER_STATE_MACHINE_ARN',
  /** SQS queue of notification messages (assignments, escalations) that the notifier consumes. */
  notificationQueueUrl: 'XT_NOTIFICATION_QUEUE_URL',
  /**
   * Optional: citizens' reports a minute, `<per account>,<per address>` (default 10,60), or `off`
   * (the local cloud's load and crash tests, whose bursts stand for many citizens in one account).
   */
  citizenReportsPerMinute: 'XT_CITIZEN_REPORTS_PER_MINUTE',
  /** Optional: seconds before a failed subscription delivery's first retry (then doubling); default 30. */
  webhookRetryBaseSeconds: 'XT_WEBHOOK_RETRY_BASE_SECONDS',
  /** The private evidence bucket (photos, videos, documents uploaded from the field). */
  evidenceBucket: 'XT_EVIDENCE_BUCKET',
  /**
   * The private bucket big exports go to, handed out as expiring links. Optional: without it, an
   * export larger than one reply is refused with 413 (narrow the filters).
   */
  exportsBucket: 'XT_EXPORTS_BUCKET',
  /** SQS queue of export jobs (POST /v1/exports) that the export worker consumes and re-fills. */
  exportQueueUrl: 'XT_EXPORT_QUEUE_URL',
  /** Optional endpoint overrides (the local cloud points them at dynalite, fauxqs and s3rver). */
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqsEndpoint: 'AWS_ENDPOINT_URL_SQS',
  sfnEndpoint: 'AWS_ENDPOINT_URL_SFN',
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
