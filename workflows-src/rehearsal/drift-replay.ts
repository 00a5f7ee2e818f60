/**
 * CloudFormation drift detection, which moto does not implement
 * (DetectStackDrift, DescribeStackDriftDetectionStatus and
 * DescribeStackResourceDrifts answer HTTP 500 there): the rehearsal's
 * endpoint (query-proxy.ts) answers these three actions with replayed AWS
 * answers, scripted per stack by the test, in the shapes AWS returns them
 * (Query protocol, XML in CloudFormation's namespace). Every other request,
 * DescribeStacks of the stack included, goes to moto.
 *
 * A detection reports DETECTION_IN_PROGRESS for the polls the script asks,
 * then DETECTION_COMPLETE with DRIFTED when a resource is MODIFIED or
 * DELETED, else IN_SYNC. A stack with no script is answered as an error, so
 * a rehearsal never passes on drift it did not ask for.
 */
import { randomUUID } from 'node:crypto';
import { CFN_NAMESPACE, cfnErrorReply, type QueryReply, xmlText } from './query-proxy.js';

export interface ScriptedPropertyDifference {
  PropertyPath: string;
  ExpectedValue: string;
  ActualValue: string;
  DifferenceType: 'ADD' | 'REMOVE' | 'NOT_EQUAL';
}

export interface ScriptedResourceDrift {
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  StackResourceDriftStatus: 'IN_SYNC' | 'MODIFIED' | 'DELETED' | 'NOT_CHECKED';
  PropertyDifferences?: ScriptedPropertyDifference[];
}

export interface ScriptedDetection {
  /** Every resource of the stack as detection found it (IN_SYNC ones too). */
  resources: ScriptedResourceDrift[];
  /** DescribeStackDriftDetectionStatus answers IN_PROGRESS this many times first. */
  inProgressPolls?: number;
}

interface Detection {
  stackId: string;
  stackName: string;
  pollsLeft: number;
}

/** A drift call the replay answered, for the test to assert on. */
export interface DriftCall {
  action: string;
  stackName: string;
  detectionStatus?: string;
}

const DRIFTED = new Set(['MODIFIED', 'DELETED']);
const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:[^:]+:\d{12}:stack\/([^/]+)\/.+$/;

export class DriftReplay {
  private script = new Map<string, ScriptedDetection>();
  private readonly detections = new Map<string, Detection>();
  readonly calls: DriftCall[] = [];

  /** Replaces the script (stack name -> what detection finds) and forgets earlier calls. */
  play(script: Record<string, ScriptedDetection>): void {
    this.script = new Map(Object.entries(script));
    this.detections.clear();
    this.calls.length = 0;
  }

  /** The QueryAnswerer of the rehearsal's endpoint. */
  readonly answer = (form: URLSearchParams): QueryReply | undefined => {
    switch (form.get('Action')) {
      case 'DetectStackDrift':
        return this.detect(form.get('StackName') ?? '');
      case 'DescribeStackDriftDetectionStatus':
        return this.status(form.get('StackDriftDetectionId') ?? '');
      case 'DescribeStackResourceDrifts':
        return this.resourceDrifts(form);
      default:
        return undefined;
    }
  };

  private scripted(stack: string): { name: string; detection?: ScriptedDetection } {
    const name = STACK_ARN.exec(stack)?.[1] ?? stack;
    return { name, detection: this.script.get(name) };
  }

  private detect(stack: string): QueryReply {
    const { name, detection } = this.scripted(stack);
    this.calls.push({ action: 'DetectStackDrift', stackName: name });
    if (!detection) return unscripted(name);
    const id = randomUUID();
    this.detections.set(id, {
      stackId: stack,
      stackName: name,
      pollsLeft: detection.inProgressPolls ?? 0,
    });
    return result('DetectStackDrift', `<StackDriftDetectionId>${id}</StackDriftDetectionId>`);
  }

  private status(id: string): QueryReply {
    const detection = this.detections.get(id);
    if (!detection)
      return cfnErrorReply(400, 'ValidationError', `Drift detection ${id} does not exist.`);
    const resources = this.script.get(detection.stackName)!.resources;
    const drifted = resources.filter((r) => DRIFTED.has(r.StackResourceDriftStatus)).length;
    const inProgress = detection.pollsLeft > 0;
    if (inProgress) detection.pollsLeft -= 1;
    const detectionStatus = inProgress ? 'DETECTION_IN_PROGRESS' : 'DETECTION_COMPLETE';
    this.calls.push({
      action: 'DescribeStackDriftDetectionStatus',
      stackName: detection.stackName,
      detectionStatus,
    });
    const fields = [
      `<StackId>${xmlText(detection.stackId)}</StackId>`,
      `<StackDriftDetectionId>${id}</StackDriftDetectionId>`,
      `<DetectionStatus>${detectionStatus}</DetectionStatus>`,
      ...(inProgress
        ? []
        : [
            `<StackDriftStatus>${drifted ? 'DRIFTED' : 'IN_SYNC'}</StackDriftStatus>`,
            `<DriftedStackResourceCount>${drifted}</DriftedStackResourceCount>`,
          ]),
      `<Timestamp>${new Date().toISOString()}</Timestamp>`,
    ];
    return result('DescribeStackDriftDetectionStatus', fields.join(''));
  }

  private resourceDrifts(form: URLSearchParams): QueryReply {
    const stack = form.get('StackName') ?? '';
    const { name, detection } = this.scripted(stack);
    this.calls.push({ action: 'DescribeStackResourceDrifts', stackName: name });
    if (!detection) return unscripted(name);
    const filters = [...form.entries()]
      .filter(([k]) => k.startsWith('StackResourceDriftStatusFilters.member.'))
      .map(([, v]) => v);
    const members = detection.resources
      .filter((r) => !filters.length || filters.includes(r.StackResourceDriftStatus))
      .map((r) => `<member>${resourceXml(stack, r)}</member>`);
    return result(
      'DescribeStackResourceDrifts',
      `<StackResourceDrifts>${members.join('')}</StackResourceDrifts>`,
    );
  }
}

function resourceXml(stackId: string, r: ScriptedResourceDrift): string {
  const differences = (r.PropertyDifferences ?? []).map(
    (p) =>
      `<member><PropertyPath>${xmlText(p.PropertyPath)}</PropertyPath><ExpectedValue>${xmlText(p.ExpectedValue)}</ExpectedValue><ActualValue>${xmlText(p.ActualValue)}</ActualValue><DifferenceType>${p.DifferenceType}</DifferenceType></member>`,
  );
  return [
    `<StackId>${xmlText(stackId)}</StackId>`,
    `<LogicalResourceId>${xmlText(r.LogicalResourceId)}</LogicalResourceId>`,
    `<PhysicalResourceId>${xmlText(r.PhysicalResourceId)}</PhysicalResourceId>`,
    `<ResourceType>${xmlText(r.ResourceType)}</ResourceType>`,
    `<StackResourceDriftStatus>${r.StackResourceDriftStatus}</StackResourceDriftStatus>`,
    `<PropertyDifferences>${differences.join('')}</PropertyDifferences>`,
    `<Timestamp>${new Date().toISOString()}</Timestamp>`,
  ].join('');
}

function result(action: string, inner: string): QueryReply {
  return {
    status: 200,
    body: `<${action}Response xmlns="${CFN_NAMESPACE}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function unscripted(stackName: string): QueryReply {
  return cfnErrorReply(
    400,
    'ValidationError',
    `The rehearsal has no drift detection scripted for stack ${stackName}.`,
  );
}
