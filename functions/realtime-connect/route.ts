import { realtimeConnect } from '../../shared/gateway/realtime-connect.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';

export const route = realtimeConnect(realtimeGateway);
