import { realtimeRevocations } from '../../shared/gateway/realtime-revocations.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';

export const route = realtimeRevocations(realtimeGateway);
