/**
 * Call core (src/calls): inbound queue calls, direct Stasis entries, outbound dialing, hold/mute/
 * DTMF/hangup/prank, max duration, restart recovery. Built with `createCallsModule(deps)`
 * (src/calls/module.ts); `module.control` is the CallService below.
 *
 * Stasis arguments the daemon routes (see inbound.ts for details):
 *   agent-leg,<ext>,<linkedid>          queue member leg (DESIGN.md)
 *   inbound,queue,<queue>[,<context>[,<linkedid>]]   direct entry → a stand-in waits in <queue> (stand-ins.ts), or
 *                                       continue to <context>(default queues),<queue>,1 (member-leg)
 *   standin,<customer channel>          the stand-in's ;1 (stand-in topology)
 *   inbound,agent,<ext>                 direct entry → ring that agent, bridge on answer
 *   originated,<callId>,<role>          channels the daemon itself originates (never use by hand)
 *   <your tag>,...                      register with control.onStasisStart(tag, handler)
 *
 * Primitives for transfers / conference / survey / callbacks (all on CallService):
 *   get(id) · require(id) (404 CcError) · list() · callsOfAgent(ext) · callOfChannel(channelId)
 *     → CallRecord: customerChannelId (leg ;2 or outbound customer), agentChannelId (device),
 *       bridgeId (mixing bridge), holdBridgeId, queue, agentExt, linkedid, rootId/parentId, state.
 *   originateAgentDevice(ext, { callId, callerId?, timeoutSec?, originator?, onAnswer(ch), onFail(reason),
 *     onRinging?, onHangup?(reason) }) → channelId (explicit id, tagged originated,<callId>,agent<ext>)
 *   originations.cancel(channelId) · originations.retarget(channelId, callId, handlers)
 *     (hand a device over to another call part: its hangup then reports to the new handlers)
 *   moveToHoldingBridge(channelId, { moh?, owner? }) → fresh holding bridge id (MOH on the bridge)
 *   returnToBridge(channelId, bridgeId, holdingBridgeId?)  (destroys the holding bridge)
 *   endCall(id, reason, { keepCustomer?, keepAgent?, keepBridge?, data? })  idempotent, never throws;
 *     frees the agent (AgentDirectory.callEnded) and writes end_reason.
 *   createChildCall(parentId, kind, { direction, state, agentExt?, customerChannelId?, ... })
 *     → new protocol number, root_id of the parent; agentExt gets callRinging automatically and
 *       callConnected when the part reaches connected (core.transition(call, 'agent-answered')).
 *   updateCall(id, patch) (re-indexes channels) · core.transition(call, event) (state machine)
 *   record(callId, type, data) → call_events row (history: transfer, conference, survey...)
 *   setDisposition(callId, tag, by?)
 *   onAgentHangup(fn) / onCustomerHangup(fn): return true to take over (survey plugs in on
 *     onAgentHangup: continue the customer to the survey, then endCall(id, reason, {keepCustomer}))
 *   registerActivity(callId → 'transfer-ringing'|'consulting'|'conference'|'in-room'|undefined)
 *     · guard(call, action) (409 when an activity forbids hold/unhold/dtmf/transfer/conference/room:
 *     the rules table is in state-machine.ts) · exclusive(callId, what, fn) (one reshaping request
 *     per call at a time; hold/mute/DTMF, transfers, conference add and room moves all use it)
 *   expectQueueReentry(linkedid, { parentId, queue }) (a queue transfer: the next agent legs of that
 *     customer become parts under parentId)
 *   onCallEnded(fn) · onStasisStart(tag, handler) · claimOnRecovery({ channel?, bridge? })
 *     (keep your own channels/bridges from being cleaned up as orphans after a restart)
 */
export { createCallsModule, type CallsModule } from './module';
export { CallService } from './service';
export type { CallRecord, CallKind } from './types';
export type { CallState, CallEvent } from './state-machine';
export { publicCall } from './types';
export { assertOwnCall } from './routes';
