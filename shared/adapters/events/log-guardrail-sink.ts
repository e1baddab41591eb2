import type { Logger } from '@aws-lambda-powertools/logger';
import type { GuardrailEventSink } from '../../domain/guardrails/guardrails.js';
import { GUARDRAIL_EVENT_DETAIL_TYPE, GUARDRAIL_EVENT_SOURCE } from './eventbridge-guardrail-sink.js';

/** Local runs (no bus): each event is one warning line with the event as EventBridge would carry it. */
export const logGuardrailSink = (logger: Logger): GuardrailEventSink => ({
  publish: async (event) => {
    logger.warn('guard-rail event', {
      event_source: GUARDRAIL_EVENT_SOURCE,
      detail_type: GUARDRAIL_EVENT_DETAIL_TYPE,
      event,
    });
  },
});
