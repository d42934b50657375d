/**
 * Test environment guard, loaded before every test file (vitest `setupFiles`): nothing a
 * test runs may reach beyond 127.0.0.0/8. The AWS SDK gets dummy credentials (so it never
 * walks the credential chain to the EC2 metadata address), and the runtime's own SQS
 * calls (and the idempotency store's DynamoDB calls) default to a closed loopback port
 * unless a test points them at its server.
 */
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID ??= 'sluice-test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'sluice-test';
process.env.AWS_REGION ??= 'us-east-1';
process.env.SLUICE_SQS_ENDPOINT ??= 'http://127.0.0.1:9';
// DynamoDB clients made by the idempotency store (SDK endpoint variable): a closed loopback port unless a test points them elsewhere.
process.env.AWS_ENDPOINT_URL_DYNAMODB ??= 'http://127.0.0.1:9';
