/**
 * Admin commands for the directory's catalogues (on the DB directly, no daemon needed):
 *   agent-group add|update|list|remove   groups of agents a call is transferred to (group:<name>)
 *   service add|update|list|remove       names of the 3-digit services of the dialplan
 *   contact add|list|remove              external numbers (read like `call dial` reads them)
 * Validation lives in the repositories, shared with the /catalogue routes.
 */
import { AgentGroupCatalogue, GROUP_STRATEGIES, validateStrategy, type AgentGroup } from '../../agents/groups';
import { ContactCatalogue } from '../../directory/contacts';
import { ServiceCatalogue } from '../../directory/services';
import { parseSetting } from '../../queues/catalogue';
import type { CliContext } from '../context';

/** "1000, 1001" → ['1000', '1001'] (order kept: it is the ring order). */
const agentList = (spec: string) =>
  spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const groupRow = (g: AgentGroup) => ({
  name: g.name,
  strategy: g.strategy,
  agents: g.agents.join(','),
  ring_seconds: g.ringSeconds ?? 'default',
});

/** --ring-seconds: "" resets to the default (the transfer ring timeout). */
const ringSeconds = (v: string | undefined) => parseSetting('--ring-seconds', v, 5, 300);

export function registerDirectoryCatalogueCommands(ctx: CliContext): void {
  const groups = () => new AgentGroupCatalogue({ db: ctx.db(), clock: ctx.clock });
  const services = () => new ServiceCatalogue({ db: ctx.db(), clock: ctx.clock });
  const contacts = () => new ContactCatalogue({ db: ctx.db(), clock: ctx.clock, defaultDdi: ctx.config().policy.default_country_code });
  const strategies = GROUP_STRATEGIES.join('|');

  // ---- agent groups (not the supervisors' monitoring groups: those are `group`)
  const ag = ctx.group('agent-group', 'agent groups: transfer targets group:NAME rung by strategy (add/update/list/remove)');
  ag.command('add')
    .argument('<name>', 'group name (lower case, digits, _ or -)')
    .description('add an agent group')
    .requiredOption('--agents <list>', 'agent extensions in ring order: 1000,1001')
    .option('--strategy <s>', `${strategies}: all available at once, one random at a time, or in list order`, 'simultaneous')
    .option('--ring-seconds <n>', 'how long each member rings (simultaneous: all of them); default: the transfer ring timeout')
    .action((name: string, o: { agents: string; strategy: string; ringSeconds?: string }) => {
      const g = groups().add({ name, agents: agentList(o.agents), strategy: validateStrategy(o.strategy, '--strategy'), ringSeconds: ringSeconds(o.ringSeconds) });
      ctx.out(`agent group ${g.name} added (${g.strategy}: ${g.agents.join(', ')})`);
    });
  ag.command('update')
    .argument('<name>')
    .description('change an agent group (given --agents replaces the whole list)')
    .option('--agents <list>', 'agent extensions in ring order')
    .option('--strategy <s>', strategies)
    .option('--ring-seconds <n>', 'seconds each member rings ("" = default)')
    .action((name: string, o: { agents?: string; strategy?: string; ringSeconds?: string }) => {
      const g = groups().update(name, {
        agents: o.agents === undefined ? undefined : agentList(o.agents),
        strategy: o.strategy === undefined ? undefined : validateStrategy(o.strategy, '--strategy'),
        ringSeconds: ringSeconds(o.ringSeconds),
      });
      ctx.out(`agent group ${g.name} updated (${g.strategy}: ${g.agents.join(', ')})`);
    });
  ag.command('list')
    .description('list agent groups')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const all = groups().list();
      if (o.json) ctx.print(all, { json: true });
      else ctx.print(all.map(groupRow), { empty: 'no agent groups' });
    });
  ag.command('remove')
    .argument('<name>')
    .description('remove an agent group')
    .action((name: string) => {
      groups().remove(name);
      ctx.out(`agent group ${name.trim()} removed`);
    });

  // ---- services
  const svc = ctx.group('service', 'services (3 digits): names shown in the directory; the dialplan runs them');
  svc
    .command('add')
    .argument('<ext>', 'service number, 3 digits (an extension of [cc-services])')
    .description('name a service')
    .requiredOption('--name <name>', 'what agents see in the directory, e.g. "Segunda via"')
    .action((ext: string, o: { name: string }) => {
      const s = services().add(ext, o.name);
      ctx.out(`service ${s.extension} "${s.name}" added`);
    });
  svc
    .command('update')
    .argument('<ext>')
    .description('rename a service')
    .requiredOption('--name <name>', 'new name')
    .action((ext: string, o: { name: string }) => {
      const s = services().update(ext, o.name);
      ctx.out(`service ${s.extension} renamed "${s.name}"`);
    });
  svc
    .command('list')
    .description('list named services')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const rows = services().list().map(({ createdAt, ...r }) => (o.json ? { ...r, createdAt } : r));
      ctx.print(rows, { json: o.json, empty: 'no services' });
    });
  svc
    .command('remove')
    .argument('<ext>')
    .description('remove a service name (the dialplan is not changed)')
    .action((ext: string) => {
      services().remove(ext);
      ctx.out(`service ${ext.trim()} removed`);
    });

  // ---- contacts
  const ct = ctx.group('contact', 'external contacts shown in the directory');
  ct.command('add')
    .argument('<name>', 'contact name (unique, case-insensitive)')
    .description('add an external contact')
    .requiredOption('--number <number>', 'national (11 3003-0000) or international (+1 415 555 0100, 001 415...)')
    .option('--ddi <ddi>', 'country code of a national number of another country')
    .action((name: string, o: { number: string; ddi?: string }) => {
      const c = contacts().add({ name, number: o.number, ddi: o.ddi });
      ctx.out(`contact "${c.name}" added (+${c.number})`);
    });
  ct.command('list')
    .description('list external contacts')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const all = contacts().list();
      if (o.json) ctx.print(all, { json: true });
      else ctx.print(all.map((c) => ({ name: c.name, number: `+${c.number}` })), { empty: 'no contacts' });
    });
  ct.command('remove')
    .argument('<name>')
    .description('remove an external contact')
    .action((name: string) => {
      contacts().remove(name);
      ctx.out(`contact "${name.trim()}" removed`);
    });
}
