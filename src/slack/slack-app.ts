import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Logger } from '../logging/logger.js';
import { toSlackLogger } from './bolt-logger.js';

/** Two quick retries of a 5xx or network error, at most eight seconds in all. */
export const SLACK_RETRY_POLICY = {
  retries: 2,
  factor: 2,
  minTimeout: 250,
  maxTimeout: 1_000,
  maxRetryTime: 8_000,
};

export interface SlackAppOptions {
  botToken: string;
  /** HTTP mode verifies every request with it; ignored in Socket Mode. */
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  apiUrl?: string;
  port: number;
  host: string;
  logger: Logger;
  customRoutes: CustomRoute[];
  /** Web API call timeout. */
  requestTimeoutMs?: number;
}

export interface SlackApp {
  app: App;
  /**
   * The client that writes run messages: it never retries on its own, since a post whose answer
   * was lost may have been taken; the message writer finds such a post again instead.
   */
  writer: webApi.WebClient;
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

/**
 * One Bolt app, HTTP (`/slack/events`, signature-verified, 5-minute replay window) or Socket Mode.
 * Listeners are registered by the caller and do not know which receiver carries them.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const logger = toSlackLogger(options.logger.child({ component: 'slack' }));
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: withTrailingSlash(options.apiUrl) } : {}),
    timeout: options.requestTimeoutMs ?? 5_000,
    // The library's default retries for about thirty minutes, holding a run's step that long on a
    // Slack outage; a message not shown now is shown by the run's next update instead.
    retryConfig: SLACK_RETRY_POLICY,
    // 429s come back to the caller, whose SlackRateGate honours Retry-After without holding the
    // client's whole request queue.
    rejectRateLimitedCalls: true,
  };
  const receiver = options.appToken
    ? new SocketModeReceiver({
        appToken: options.appToken,
        logger,
        customRoutes: options.customRoutes,
        installerOptions: { port: options.port, clientOptions: clientOptions },
      })
    : new HTTPReceiver({
        signingSecret: options.signingSecret ?? '',
        logger,
        customRoutes: options.customRoutes,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: 2_500,
      });
  if (receiver instanceof HTTPReceiver) refuseFutureTimestamps(receiver);
  const app = new App({ token: options.botToken, receiver, logger, clientOptions });

  const writer = new webApi.WebClient(options.botToken, {
    ...clientOptions,
    logger,
    retryConfig: { retries: 0 },
  });

  return {
    app,
    writer,
    async start() {
      if (receiver instanceof HTTPReceiver) {
        const server = (await app.start({ port: options.port, host: options.host })) as Server;
        const address = server.address();
        return { port: typeof address === 'object' && address ? address.port : options.port };
      }
      await app.start();
      return {};
    },
    stop: () => app.stop().then(() => undefined),
  };
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Slack's replay window is five minutes either way (Bolt checks only the past). */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * Refuses a request stamped more than five minutes ahead before Bolt verifies it: a signature made
 * for a future time would otherwise stay replayable for as long as that time is ahead.
 */
function refuseFutureTimestamps(receiver: HTTPReceiver): void {
  const listener = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const stamp = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(stamp) && stamp - Date.now() / 1000 > MAX_CLOCK_SKEW_SECONDS) {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('request timestamp is in the future');
      return;
    }
    listener(req, res);
  };
}
