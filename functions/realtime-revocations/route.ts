import { realtimeRevocations } from '../../shared/gateway/realtime-revocations.js';
import { realtimeGateway } from '../../shared/routes/realtime-routes.js';

export const route = realtimeRevocations(realtimeGateway);
