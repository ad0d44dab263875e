/** Packs `container`, `k8s` and `cloud`: commands that destroy containers, clusters and cloud resources. */
import type { Invocation } from '../shell/invocation.js';
import { hasFlag, positionals } from './args.js';
import type { Rule } from './types.js';
import { feedScope } from './listings.js';
import { composeDeletesVolumes, THROWAWAY_NAME } from './compose.js';
import { nullProto } from '../null-proto.js';

const DOCKER_GLOBAL = [
  '-H',
  '--host',
  '--context',
  '-c',
  '--config',
  '-l',
  '--log-level',
  '--url',
  '--connection',
  '--root',
  '--runroot',
  '--storage-driver',
  '--cgroup-manager',
  '--remote',
  '--identity',
  '--tlscacert',
  '--tlscert',
  '--tlskey',
];
const KUBE_GLOBAL = [
  '-n',
  '--namespace',
  '--context',
  '--kubeconfig',
  '--cluster',
  '--user',
  '-s',
  '--server',
  '--token',
  '--as',
  '--as-group',
  '-l',
  '--selector',
  '-f',
  '--filename',
  '-o',
  '--output',
];
const CLOUD_GLOBAL = [
  '--profile',
  '--region',
  '--output',
  '--endpoint-url',
  '--project',
  '--account',
  '--configuration',
  '--subscription',
  '-g',
  '--resource-group',
  '--format',
  '--zone',
  '-n',
  '--name',
  '--query',
];

function pos(inv: Invocation, withArg: string[]): string[] {
  return positionals(inv, withArg);
}

function startsWith(p: string[], ...seq: string[]): boolean {
  return seq.every((s, i) => p[i] === s);
}

/** Verbs of hosting and platform CLIs that delete what they name. */
const DESTROY_VERB =
  /^(?:delete|destroy|remove|rm|rb|purge|terminate|reset|wipe|erase|down|uninstall|deprovision|teardown|nuke|drop|deregister|delete-[a-z-]+)$/;
/** Hosting and platform CLIs (not aws, gcloud, az, kubectl, terraform: their own rules), with global options that take a value. */
const HOSTING_CLIS: Record<string, string[]> = nullProto({
  gh: ['-R', '--repo', '--hostname'],
  glab: ['-R', '--repo'],
  hub: [],
  flyctl: ['-a', '--app', '-c', '--config', '-o', '--org', '-r', '--region'],
  fly: ['-a', '--app', '-c', '--config', '-o', '--org', '-r', '--region'],
  heroku: ['-a', '--app', '-r', '--remote', '--confirm'],
  vercel: ['--scope', '-S', '--token', '-t', '--cwd'],
  netlify: ['--site', '--auth'],
  doctl: ['-t', '--access-token', '--context', '-o', '--output', '--format'],
  hcloud: ['--context', '-o', '--output'],
  'linode-cli': [],
  eksctl: ['--name', '--region', '-r', '-n'],
  serverless: ['--stage', '-s', '--region', '-r', '--config', '-c'],
  sls: ['--stage', '-s', '--region', '-r', '--config', '-c'],
  sam: ['--stack-name', '--region', '--profile'],
  supabase: ['--project-ref', '--workdir'],
  firebase: ['--project', '-P', '--token'],
  wrangler: ['--env', '-e', '--config', '-c', '--name'],
  railway: ['-s', '--service', '-e', '--environment'],
  dokku: [],
  scw: ['-p', '--profile', '-c', '--config'],
  'vultr-cli': [],
  civo: ['--region'],
  exo: ['-z', '--zone'],
  render: [],
  amplify: [],
  copilot: ['-a', '--app', '-n', '--name', '-e', '--env'],
  eb: ['--region', '-r', '--profile'],
  kamal: ['-d', '--destination', '-c', '--config-file'],
  ibmcloud: [],
  oci: ['--profile', '--region'],
});

const CONTAINER_CLIS = ['docker', 'podman', 'nerdctl', 'finch'];

/** Every operand after `rm` is a literal name that says it is throwaway (test, ci, e2e, tmp, scratch). */
function namedOnly(inv: Invocation): boolean {
  const at = inv.args.findIndex((a) => a.value === 'rm' || a.value === 'remove');
  const rest = inv.args.slice(at + 1);
  if (
    inv.appendsArgs ||
    rest.some((a) => a.value === null || a.glob || a.value === '--all' || a.value === '-a')
  )
    return false;
  const names = rest.filter((a) => !a.value!.startsWith('-'));
  return names.length > 0 && names.every((a) => THROWAWAY_NAME.test(a.value!));
}

/** The objects come only from filtered listings: no literal names after the subcommand, and a filtered feed. */
function onlyFiltered(inv: Invocation, p: string[]): boolean {
  return p.slice(1).every((x) => x === '\0' || x === 'rm' || x === 'remove') && feedScope(inv) === 'filtered';
}

/** rclone subcommands that delete on a remote, and sync's deleting of what the source lacks. */
const RCLONE_DELETES = new Set(['purge', 'delete', 'deletefile', 'rmdirs', 'cleanup']);
const RCLONE_WITH_ARG = [
  '--config',
  '--min-age',
  '--max-age',
  '--include',
  '--exclude',
  '--filter',
  '--transfers',
  '-v',
];

/**
 * `aws --endpoint-url=http://localhost:4566 s3 rb …`: a local emulator (LocalStack, MinIO, moto) on this machine
 * or the host, holding test data; not the cloud account.
 */
function localEndpoint(inv: Invocation): boolean {
  const v = inv.args.map((a) => a.value ?? '');
  const i = v.findIndex((x) => x === '--endpoint-url' || x.startsWith('--endpoint-url='));
  if (i === -1) return false;
  const url = v[i]!.startsWith('--endpoint-url=') ? v[i]!.slice('--endpoint-url='.length) : (v[i + 1] ?? '');
  return /^https?:\/\/(?:localhost|127(?:\.\d+){3}|\[::1\]|host\.containers\.internal|localstack|minio)(?::\d+)?(?:\/|$)/i.test(
    url,
  );
}

const awsUnlessLocal = (r: Rule): Rule =>
  r.id.startsWith('cloud.aws') ? { ...r, match: (inv, ctx) => !localEndpoint(inv) && r.match(inv, ctx) } : r;

const rules: Rule[] = [
  {
    id: 'storage.rclone-delete',
    pack: 'storage',
    reason:
      'deletes files on a remote (rclone purge/delete/rmdirs, sync with --delete-*); run it with --dry-run and ask the user',
    commands: ['rclone'],
    match: (inv) => {
      const p = positionals(inv, RCLONE_WITH_ARG);
      if (inv.args.some((a) => a.value === '--dry-run' || a.value === '-n' || a.value === '--interactive'))
        return false;
      if (RCLONE_DELETES.has(p[0] ?? '')) return `rclone ${p[0]} ${p[1] ?? ''}`.trim();
      const deletes = inv.args.some((a) => /^--delete-(?:before|during|after|excluded)$/.test(a.value ?? ''));
      return p[0] === 'sync' && deletes && /^[^/.~][^/]*:/.test(p[2] ?? '')
        ? `rclone sync into ${p[2]}`
        : false;
    },
  },
  {
    id: 'container.rm-force',
    pack: 'container',
    reason:
      'force-removes containers (and their unsaved state); stop them and remove by name, or ask the user',
    commands: CONTAINER_CLIS,
    match: (inv) => {
      const p = pos(inv, DOCKER_GLOBAL);
      const isRm =
        startsWith(p, 'rm') || startsWith(p, 'container', 'rm') || startsWith(p, 'container', 'remove');
      // every operand from a filtered listing (`$(docker ps -aq --filter name=test-db)`): a chosen set
      if (isRm && onlyFiltered(inv, p)) return false;
      if (!isRm || !hasFlag(inv, 'f', ['force'])) return false;
      // throwaway containers named literally, without their volumes (`docker rm -f app-test-1`)
      return !namedOnly(inv) || hasFlag(inv, 'v', ['volumes']);
    },
  },
  {
    id: 'container.prune',
    pack: 'container',
    reason:
      'prune deletes every stopped container, unused image, network or volume; remove named objects instead',
    commands: CONTAINER_CLIS,
    match: (inv) => {
      const p = pos(inv, DOCKER_GLOBAL);
      return (
        startsWith(p, 'system', 'prune') ||
        startsWith(p, 'volume', 'prune') ||
        startsWith(p, 'system', 'reset')
      );
    },
  },
  {
    id: 'container.volume-rm',
    pack: 'container',
    reason: 'deletes container volumes and their data; ask the user',
    commands: CONTAINER_CLIS,
    match: (inv) => {
      const p = pos(inv, DOCKER_GLOBAL);
      if (startsWith(p, 'volume', 'rm') || startsWith(p, 'volume', 'remove')) return !onlyFiltered(inv, p);
      return composeDeletesVolumes(inv);
    },
  },
  {
    id: 'container.compose-down-volumes',
    pack: 'container',
    reason: 'docker-compose down -v deletes the project volumes and their data; drop -v, or ask the user',
    commands: ['docker-compose', 'podman-compose'],
    match: composeDeletesVolumes,
  },
  {
    id: 'k8s.delete',
    pack: 'k8s',
    reason: 'kubectl delete removes cluster resources; ask the user',
    commands: ['kubectl', 'oc', 'k', 'microk8s.kubectl', 'k3s'],
    match: (inv) => {
      const p = pos(inv, KUBE_GLOBAL);
      const i = p[0] === 'kubectl' ? 1 : 0;
      // `--dry-run=client|server` (or bare `--dry-run`, which is client) only shows what would go
      if (inv.args.some((a) => /^--dry-run(?:=(?:client|server|true))?$/.test(a.value ?? ''))) return false;
      return (
        p[i] === 'delete' ||
        p[i] === 'drain' ||
        (p[i] === 'replace' && hasFlag(inv, '', ['force'])) ||
        (p[i] === 'scale' && inv.args.some((a) => /^--replicas=0+$/.test(a.value ?? '')))
      );
    },
  },
  {
    id: 'k8s.helm-uninstall',
    pack: 'k8s',
    reason: 'helm uninstall removes a release and its resources; ask the user',
    commands: ['helm'],
    match: (inv) => ['uninstall', 'delete', 'del', 'un'].includes(pos(inv, KUBE_GLOBAL)[0] ?? ''),
  },
  {
    id: 'cloud.terraform-destroy',
    pack: 'cloud',
    reason: 'destroys managed infrastructure; ask the user',
    commands: ['terraform', 'tofu', 'terragrunt', 'pulumi', 'cdk', 'cdktf'],
    match: (inv) => {
      const p = pos(inv, ['-chdir', '--cwd', '-s', '--stack']);
      return (
        p[0] === 'destroy' ||
        (p[0] === 'state' && p[1] === 'rm') ||
        (p[0] === 'workspace' && p[1] === 'delete') ||
        (p[0] === 'apply' && inv.args.some((a) => a.value === '-destroy')) ||
        (p.includes('run-all') && p.includes('destroy'))
      );
    },
  },
  {
    id: 'cloud.aws-s3-rm-recursive',
    pack: 'cloud',
    reason: 'recursively deletes S3 objects or buckets; ask the user',
    commands: ['aws'],
    match: (inv) => {
      const p = pos(inv, CLOUD_GLOBAL);
      if (p[0] !== 's3') return false;
      return (
        (p[1] === 'rm' && hasFlag(inv, '', ['recursive'])) ||
        p[1] === 'rb' ||
        (p[1] === 'sync' && hasFlag(inv, '', ['delete']))
      );
    },
  },
  {
    id: 'cloud.aws-destructive',
    pack: 'cloud',
    reason: 'deletes or terminates AWS resources; ask the user',
    commands: ['aws'],
    match: (inv) =>
      /^(?:delete-|terminate-|remove-|deregister-|purge-|delete$)/.test(pos(inv, CLOUD_GLOBAL)[1] ?? ''),
  },
  {
    id: 'cloud.gcloud-delete',
    pack: 'cloud',
    reason: 'deletes Google Cloud resources; ask the user',
    commands: ['gcloud', 'gsutil'],
    match: (inv) => {
      const p = pos(inv, CLOUD_GLOBAL);
      if (inv.name === 'gsutil')
        return p[0] === 'rb' || ((p[0] === 'rm' || p[0] === 'rsync') && hasFlag(inv, 'rRd'));
      return p.includes('delete') || (p.includes('rm') && hasFlag(inv, 'rR', ['recursive']));
    },
  },
  {
    id: 'cloud.az-delete',
    pack: 'cloud',
    reason: 'deletes Azure resources; ask the user',
    commands: ['az'],
    match: (inv) => pos(inv, CLOUD_GLOBAL).includes('delete'),
  },
  {
    id: 'cloud.hosting-delete',
    pack: 'cloud',
    reason:
      'deletes or destroys a hosted resource (repository, app, site, server, database, stack, project); ask the user',
    commands: Object.keys(HOSTING_CLIS),
    match: (inv) => {
      // the verbs of the first positionals, `apps:destroy` split at the colon
      const p = positionals(inv, HOSTING_CLIS[inv.name] ?? []).slice(0, 3);
      const verb = p.flatMap((x) => x.split(':')).find((x) => DESTROY_VERB.test(x));
      if (verb) return `${inv.name} ${p.join(' ')}`;
      // `gh api -X DELETE …`, `glab api --method DELETE …`
      if (p[0] === 'api') {
        const v = inv.args.map((a) => a.value ?? '');
        const i = v.findIndex((x) => x === '-X' || x === '--method');
        const m =
          i === -1 ? v.find((x) => /^(?:-X|--method=)/.test(x))?.replace(/^(?:-X|--method=)/, '') : v[i + 1];
        if (m && m.toUpperCase() === 'DELETE') return `${inv.name} api DELETE`;
      }
      return false;
    },
  },
];

export const infraRules: Rule[] = rules.map(awsUnlessLocal);
