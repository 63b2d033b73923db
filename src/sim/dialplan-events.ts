/**
 * AMI UserEvents that the shipped dialplan (asterisk-conf/extensions.conf) raises, as Asterisk 22
 * sends them: `Event: UserEvent`, class user, the channel's fields, `UserEvent: <name>`, then the
 * body's headers. The daemon's AMI user reads class `user` for them (manager.conf).
 */
import type { AmiFieldList } from './ami-codec';
import type { SimChannel, SimModel } from './model';
import { amiChannelFields } from './shapes';

export function userEvent(model: SimModel, ch: SimChannel, name: string, body: AmiFieldList = []): void {
  model.ami('UserEvent', 'user,all', [...amiChannelFields(ch), ['UserEvent', name], ...body]);
}

/**
 * [cc-queues] after Queue() returns: `UserEvent(CcQueueExit,Queue: <q>,Status: ${QUEUESTATUS},
 * Info: ${QUEUE_WITHDRAW_INFO})`, so a caller leaving unanswered (TIMEOUT, LEAVEEMPTY, WITHDRAW...)
 * is told apart from one who hung up (QueueCallerAbandon) or was answered (AgentConnect).
 */
export function queueExitEvent(model: SimModel, ch: SimChannel, queue: string, status: string, info = ''): void {
  userEvent(model, ch, 'CcQueueExit', [
    ['Queue', queue],
    ['Status', status],
    ['Info', info],
  ]);
}

/** [cc-survey]: the customer keyed a score: `UserEvent(CcSurvey,Score: <digit>)` on its channel. */
export function surveyEvent(model: SimModel, ch: SimChannel, score: string): void {
  userEvent(model, ch, 'CcSurvey', [['Score', score]]);
}
