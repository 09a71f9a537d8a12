// Operations of the services whose SDK clients send over HTTP/2 by default,
// read from the signed request as it goes out (REST-JSON: method and path),
// so that their spans carry rpc.method and rules can name the operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsCallOf } from '../../src/instrument/awsCall.js';

const signed = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
});
const SESSION = '/bot/B1/botAlias/TSTALIASID/botLocale/en_US/session/s-1';

const cases: [host: string, service: string, method: string, path: string, operation: string | undefined][] = [
  ['kinesis.eu-west-1.amazonaws.com', 'kinesis', 'POST', '/', undefined], // JSON: the operation is in x-amz-target
  ['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock', 'POST', '/model/anthropic.claude-v2/invoke', 'InvokeModel'],
  ['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock', 'POST', '/model/amazon.nova-sonic-v1%3A0/invoke-with-bidirectional-stream', 'InvokeModelWithBidirectionalStream'],
  ['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock', 'POST', '/model/m/invoke-with-response-stream', 'InvokeModelWithResponseStream'],
  ['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock', 'POST', '/model/m/converse', 'Converse'],
  ['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock', 'POST', '/model/m/converse-stream', 'ConverseStream'],
  ['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock', 'POST', '/guardrail/g1/version/2/apply', 'ApplyGuardrail'],
  ['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock', 'GET', '/model/m/invoke', undefined],
  ['bedrock.us-east-1.amazonaws.com', 'bedrock', 'GET', '/foundation-models', undefined],
  ['transcribestreaming.us-east-1.amazonaws.com', 'transcribe', 'POST', '/stream-transcription', 'StartStreamTranscription'],
  ['transcribestreaming.us-east-1.amazonaws.com', 'transcribe', 'POST', '/medical-stream-transcription', 'StartMedicalStreamTranscription'],
  ['transcribestreaming.us-east-1.amazonaws.com', 'transcribe', 'POST', '/call-analytics-stream-transcription', 'StartCallAnalyticsStreamTranscription'],
  ['runtime-v2-lex.us-east-1.amazonaws.com', 'lex', 'POST', `${SESSION}/conversation`, 'StartConversation'],
  ['runtime-v2-lex.us-east-1.amazonaws.com', 'lex', 'POST', `${SESSION}/text`, 'RecognizeText'],
  ['runtime-v2-lex.us-east-1.amazonaws.com', 'lex', 'POST', `${SESSION}/utterance`, 'RecognizeUtterance'],
  ['runtime.sagemaker.us-east-1.amazonaws.com', 'sagemaker', 'POST', '/endpoints/e1/invocations-bidirectional-stream', 'InvokeEndpointWithBidirectionalStream'],
  ['runtime.sagemaker.us-east-1.amazonaws.com', 'sagemaker', 'POST', '/endpoints/e1/invocations', undefined],
];

for (const [host, service, method, path, operation] of cases) {
  test(`${method} ${path} signed for ${service}: ${operation ?? 'no operation from the path'}`, () => {
    assert.deepEqual(awsCallOf({ host, method, path, headers: signed(service) }), { service, operation });
    // On a local endpoint only the signature says which service it is: the same operation.
    assert.deepEqual(awsCallOf({ host: '127.0.0.1', method, path, headers: signed(service) }), { service, operation });
  });
}
