import { realtimeMessage } from '../../shared/gateway/realtime-message.js';
import { realtimeGateway } from '../../shared/routes/realtime-routes.js';

export const route = realtimeMessage(realtimeGateway);
