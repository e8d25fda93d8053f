/**
 * What the SQS adapters use of the SQS client module, imported with `import()` where a call needs it
 * (see `ClientSource`): the API functions that hold a queue send on some routes only.
 */
export {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
