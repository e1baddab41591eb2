import { realtimeDisconnect } from '../../shared/gateway/realtime-disconnect.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';

export const route = realtimeDisconnect(realtimeGateway);
