/**
 * Test support: errors as an AWS SDK v3 client throws them, for any service
 * (`name` is the AWS error code; 5xx statuses are server faults).
 */

/** The constructor every SDK service exception class has. */
type ServiceExceptionClass = new (options: {
  name: string;
  message: string;
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode: number };
}) => Error;

export function serviceError(
  Exception: ServiceExceptionClass,
  name: string,
  message: string,
  httpStatusCode = 400,
): Error {
  return new Exception({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}
