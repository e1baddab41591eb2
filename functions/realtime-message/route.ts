import { realtimeMessage } from '../../shared/gateway/realtime-message.js';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';

export const route = realtimeMessage(realtimeGateway);
