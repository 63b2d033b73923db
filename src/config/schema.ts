/**
 * The one YAML config file. Every key is documented in config/callcenterd.example.yaml.
 * Secrets may instead come from the environment (see load.ts); they are never logged.
 */
import { z } from 'zod';

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8600')
  .refine((v) => {
    // Shape errors are reported by the regex above; one problem per key is enough.
    if (!/^[^\s:]+:\d{1,5}$/.test(v)) return true;
    const port = Number(v.split(':').pop());
    // 0 = any free port (tests and the demo run several daemons side by side).
    return port >= 0 && port < 65536;
  }, 'port must be 0-65535 (0 = any free port)');

const PORT_MESSAGE = 'must be a number between 1 and 65535';

/**
 * What is wrong with an ARI base URL, or undefined. One rule for the config schema (`config check`,
 * `config show`, `run`) and the ARI client (src/ari/rest.ts): `config check` passed URLs with
 * user:password@ that `run` then refused, and the systemd unit trusts `config check`. Never echoes
 * the URL: it may hold a password.
 */
export function ariUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be a URL such as http://127.0.0.1:8088';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be http:// or https:// (got ${u.protocol})`;
  // Credentials belong in username/password: those are masked by `config show` and kept out of
  // logs; a URL is logged (e.g. the events URL on connect) and shown as it is.
  if (u.username || u.password) return 'must not embed credentials (user:password@): set asterisk.ari.username and asterisk.ari.password';
  return undefined;
}

/**
 * How the placeholder secrets of config/callcenterd.example.yaml begin ("change-me-ari",
 * "replace-with-a-long-random-admin-token"). A copied example ran with them: anyone who has read
 * the example knew the daemon's API tokens.
 */
export const PLACEHOLDER_PREFIXES = ['change-me', 'replace-with'] as const;

/** A secret that is still an example placeholder is refused; the message shows only the prefix. */
function realSecret<T extends z.ZodString>(schema: T) {
  return schema.superRefine((v, ctx) => {
    const prefix = PLACEHOLDER_PREFIXES.find((p) => v.toLowerCase().startsWith(p));
    if (prefix) ctx.addIssue({ code: 'custom', message: `still the example placeholder "${prefix}-..."; set a real secret` });
  });
}

const extension = z.string().regex(/^\d{4,5}$/, 'must be an agent extension of 4 or 5 digits');

export const tokenSchema = z
  .object({
    token: realSecret(z.string().min(16, 'must be at least 16 characters')),
    role: z.enum(['admin', 'supervisor', 'agent']),
    agent: extension.optional(),
    name: z.string().optional(),
    /** Supervisor tokens: limit to these monitoring groups (`callcenterd group add`); none = everything. */
    groups: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a monitoring group name')).min(1, 'list at least one group, or leave groups out').optional(),
  })
  .strict()
  .refine((t) => t.role === 'supervisor' || t.groups === undefined, {
    message: 'only supervisor tokens can be limited to monitoring groups',
    path: ['groups'],
  })
  .refine((t) => t.role !== 'agent' || t.agent !== undefined, {
    message: 'a token with role agent must name its agent extension',
    path: ['agent'],
  });

/** asterisk.ari.rest_transport values (src/ari/ws-rest.ts). */
export const ARI_REST_TRANSPORTS = ['auto', 'websocket', 'http'] as const;

export const configSchema = z
  .object({
    asterisk: z
      .object({
        ari: z
          .object({
            url: z.string().superRefine((v, ctx) => {
              const problem = ariUrlProblem(v);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
            username: z.string().min(1),
            password: realSecret(z.string().min(1, 'is required (or set CALLCENTERD_ARI_PASSWORD)')),
            app: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('callcenter'),
            /** How REST requests travel (src/ari/ws-rest.ts): auto = the event WebSocket once Asterisk answered a probe on it. */
            rest_transport: z.enum(ARI_REST_TRANSPORTS).default('auto'),
          })
          .strict(),
        ami: z
          .object({
            host: z.string().min(1).default('127.0.0.1'),
            port: z
              .number({ invalid_type_error: PORT_MESSAGE })
              .int(PORT_MESSAGE)
              .min(1, PORT_MESSAGE)
              .max(65535, PORT_MESSAGE)
              .default(5038),
            username: z.string().min(1),
            secret: realSecret(z.string().min(1, 'is required (or set CALLCENTERD_AMI_SECRET)')),
            /** Wait this long for `Event: FullyBooted` after Login before assuming Asterisk is booted. */
            boot_grace_ms: z.number().int().min(1).max(600_000).default(10_000),
          })
          .strict(),
        /** Dialplan names shipped in asterisk-conf/extensions.conf. */
        contexts: z
          .object({
            agent_leg: z.string().default('cc-agent'),
            agent_hints: z.string().default('agent-hints'),
            services: z.string().default('cc-services'),
            /** Queue entry <queue>@<this>: where a queue transfer sends the customer. */
            queues: z.string().default('cc-queues'),
            survey: z.string().default('cc-survey'),
            /** Native topology: s@<this> runs Stasis(<app>,takeover) (src/calls/takeover.ts). */
            takeover: z.string().default('cc-takeover'),
          })
          .strict()
          .default({}),
        /** How the daemon dials a customer: {number} is replaced by the validated number. */
        dial_template: z
          .string()
          .refine((v) => v.includes('{number}'), 'must contain {number}')
          .default('PJSIP/{number}@trunk'),
        moh_class: z.string().default('default'),
        /**
         * Media path of an answered inbound queue call (docs/CALL-TOPOLOGY.md, issue 12):
         * stand-in (default) = a trunk customer stays in the daemon's app and a Local stand-in waits
         * in Queue() for it, the customer is bridged straight with the device (SIP parties may go
         * native_rtp); member-leg = the customer waits in Queue() itself, the member leg ;2 is
         * bridged with the device (media crosses a Local pair and two bridges). Calls that reach
         * Queue() without passing through the app (queue transfers, daemon down) use member-leg.
         * native = members are the agents' devices: app_queue rings and bridges them itself, the
         * daemon follows on AMI and takes a call over into Stasis only when a request needs the
         * media (hold, transfers...); src/calls/native-parts.ts, takeover.ts. The shipped example
         * config chooses native; the default stays stand-in so that an upgrade (whose Asterisk may
         * lack [cc-takeover] and the AgentComplete filter) changes nothing until the admin opts in.
         */
        queue_topology: z.enum(['member-leg', 'stand-in', 'native']).default('stand-in'),
        /**
         * Native topology: app_queue's queue_log file (<astlogdir>/queue_log), read after AMI comes
         * back to record the calls that began and ended while the daemon could not follow AMI
         * (src/queue-log). '' = not read. The daemon's user needs read access (group asterisk).
         */
        queue_log: z.string().default(''),
      })
      .strict(),
    database: z.object({ path: z.string().min(1).default('./callcenterd.db') }).strict().default({}),
    api: z
      .object({
        listen: hostPort.default('127.0.0.1:8600'),
        tokens: z
          .array(tokenSchema)
          .default([])
          .superRefine((tokens, ctx) => {
            // Two entries with one token would make the role ambiguous (first match would win).
            const seen = new Set<string>();
            tokens.forEach((t, i) => {
              if (seen.has(t.token)) ctx.addIssue({ code: 'custom', path: [i, 'token'], message: 'same token as an earlier entry' });
              seen.add(t.token);
            });
          }),
        /**
         * /events: queued bytes (plus ~400 per queued message) after which a client that does not
         * read is closed (1013). Bounds the memory a stalled client can pin; must exceed a snapshot.
         */
        events_max_buffered_bytes: z
          .number()
          .int()
          .min(65536, 'must be at least 65536 (64 KiB): a snapshot must fit')
          .max(1 << 30, 'must be at most 1073741824 (1 GiB)')
          .default(1 << 20),
        /** /events: sockets one token may hold at once; the next upgrade is refused with HTTP 429. */
        events_max_connections_per_token: z.number().int().min(1).max(10000).default(10),
      })
      .strict()
      .default({}),
    log: z
      .object({ level: z.enum(['error', 'warn', 'info', 'debug']).default('info') })
      .strict()
      .default({}),
    /** Call recordings (src/recordings): where Asterisk writes them and how long they are kept. */
    recording: z
      .object({
        /** Asterisk's recording directory (astspooldir/recording) as the daemon sees it (shared mount if remote). */
        dir: z.string().min(1).default('/var/spool/asterisk/recording'),
        /** Folder under it for callcenterd's files (ARI recording names start with it). */
        subdir: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
          .default('callcenterd'),
        format: z.enum(['wav', 'gsm', 'ulaw', 'alaw', 'wav16']).default('wav'),
        /** Days a recording's file is kept; a daily job removes older files and marks their rows. 0 = forever. */
        retention_days: z.number().int().min(0).max(36500).default(0),
      })
      .strict()
      .default({}),
    /** Internal chat (src/chat): limits that keep one sender from flooding the others and the database. */
    chat: z
      .object({
        /** Characters a message may have (after control characters are dropped). */
        max_message_chars: z.number().int().min(1).max(100000).default(2000),
        /** Messages one sender (agent extension or token name) may send in any 60 seconds. */
        max_messages_per_minute: z.number().int().min(1).max(10000).default(30),
      })
      .strict()
      .default({}),
    /** Reports (src/reports): thresholds used by the definitions in README "Reports". */
    reports: z
      .object({
        /** Callers who hang up within this many seconds of joining a queue are short abandons, counted apart. */
        short_abandon_seconds: z.number().int().min(0).max(3600).default(5),
        /** Service level threshold for queues that do not set their own (queue --service-level-seconds). */
        service_level_seconds: z.number().int().min(1).max(3600).default(20),
      })
      .strict()
      .default({}),
    policy: z
      .object({
        wrapup_seconds: z.number().int().min(0).max(3600).default(30),
        /**
         * Safety cap of a wrap-up without time limit (queue wrapup_limit off): it still closes with the
         * automatic disposition after this many seconds, so an agent who walked away does not block the queue.
         */
        wrapup_max_seconds: z.number().int().min(1).max(86400).default(3600),
        /** Consecutive unanswered queue calls before the agent is paused; 0 = off. */
        max_no_answer: z.number().int().min(0).max(100).default(3),
        no_answer_pause_reason: z.string().min(1).default('Sem resposta'),
        wrapup_pause_reason: z.string().min(1).default('Wrap-up'),
        auto_disposition: z.string().min(1).default('Tabulação automática'),
        prank_block_minutes: z.number().int().min(1).max(100000).default(30),
        default_country_code: z.string().regex(/^\d{1,3}$/, 'must be 1-3 digits').default('55'),
        international_calls: z.boolean().default(false),
        allowed_country_codes: z.array(z.string().regex(/^\d{1,3}$/, 'must be 1-3 digits')).default([]),
        block_dialing_in_pause: z.boolean().default(false),
        /** Max call duration in seconds; 0 = off. Queues may override. */
        call_timeout_seconds: z.number().int().min(0).default(0),
        /** General caller id for outbound calls; a queue's caller id wins when set. */
        caller_id: z.string().default(''),
        /** On AMI reconnect, remove queue members no agent session owns (else only report them). */
        remove_unknown_members: z.boolean().default(false),
        /** Which call parts are recorded when their queue does not say: always, never or on-demand (`call record start`). */
        recording: z.enum(['always', 'never', 'on-demand']).default('never'),
        /** Scheduled callbacks: retries of a failed dial and how long to wait for a free agent. */
        callbacks: z
          .object({
            /** Dial attempts (agent ringing) before a callback is marked failed. */
            max_attempts: z.number().int().min(1).max(20).default(3),
            /** Minutes between two attempts after a failed dial. */
            retry_minutes: z.number().int().min(1).max(1440).default(5),
            /** Minutes past the due time to keep waiting (re-checked every minute) for a free agent. */
            wait_for_agent_minutes: z.number().int().min(1).max(10080).default(240),
            /** Callback requests callers leave while waiting in a queue (asterisk-conf [cc-queue-callback]). */
            queue_requests: z
              .object({
                /** Dial attempts (agent rung, then the customer) before a request is marked failed. */
                max_attempts: z.number().int().min(1).max(20).default(3),
                /** Seconds between two attempts after a failed one. */
                retry_seconds: z.number().int().min(10).max(86_400).default(120),
                /** Seconds between two looks at whether the request's turn came and an agent is free (also at once when an agent becomes available). */
                recheck_seconds: z.number().int().min(1).max(600).default(5),
                /** Minutes after the request to keep waiting for its turn and a free agent before it fails. */
                give_up_minutes: z.number().int().min(1).max(10080).default(240),
              })
              .strict()
              .default({}),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ApiToken = z.infer<typeof tokenSchema>;
export type Policy = Config['policy'];
