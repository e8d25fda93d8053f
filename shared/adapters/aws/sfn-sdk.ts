/**
 * What the Step Functions adapters use of the client module, imported with `import()` where a call
 * needs it (see `ClientSource`): only the commands that start or stop a deadline start a timer.
 */
export {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
