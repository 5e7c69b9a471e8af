// A conversation's messages are a tree: regenerate and edit add a version (a sibling) at their
// point instead of replacing it, and what follows a version stays with it. `Conversation.messages`
// holds every node in the order they were added; a message's parent is its `parentId`, or — when
// the field is absent, as in every file written before versions existed — the message before it
// in the array, so an old flat file reads as one path. `Conversation.activeChild` names, per
// parent (`ROOT` for the first messages), the version on screen; without an entry the newest child
// is. Everything that shows or sends a conversation reads the active path (`activePath`): one list.
import type { ChatMessage, Conversation } from './protocol';

/** The `activeChild` key of the conversation's first messages (the versions of its first prompt). */
export const ROOT = '';

type Branching = Pick<Conversation, 'messages' | 'activeChild'>;

export type Tree = {
  byId: Map<string, ChatMessage>;
  /** Each message's parent as read: its own `parentId` if it has one that leads to a root, else null. */
  parent: Map<string, string | null>;
  /** Children by parent id (`ROOT` for the first messages), oldest first. */
  children: Map<string, ChatMessage[]>;
  /** What did not fit a tree (a parent that does not exist, a cycle, an id twice), in sentences. */
  problems: string[];
};

const declaredParent = (messages: readonly ChatMessage[], i: number): string | null => {
  const m = messages[i]!;
  if (m.parentId !== undefined) return m.parentId;
  return i > 0 ? messages[i - 1]!.id : null;
};

/**
 * The tree as read. A message whose parent does not exist, or whose ancestors go round in a cycle,
 * is read as a first message (a version at the top), so nothing stored is ever out of reach; the
 * problem is reported, for import to refuse the file.
 */
export function treeOf(messages: readonly ChatMessage[]): Tree {
  const byId = new Map<string, ChatMessage>();
  const declared = new Map<string, string | null>();
  const problems: string[] = [];
  messages.forEach((m, i) => {
    if (byId.has(m.id)) {
      problems.push(`the id "${m.id}" is used by two messages`);
      return;
    }
    byId.set(m.id, m);
    declared.set(m.id, declaredParent(messages, i));
  });
  const parent = new Map<string, string | null>();
  for (const id of byId.keys()) {
    const chain: string[] = [];
    const onChain = new Set<string>();
    let at = id;
    while (!parent.has(at)) {
      if (onChain.has(at)) {
        problems.push(`the messages around "${at}" are each other's parents (a cycle)`);
        parent.set(at, null);
        break;
      }
      onChain.add(at);
      chain.push(at);
      const up: string | null = declared.get(at) ?? null;
      if (up !== null && (!byId.has(up) || up === at)) {
        problems.push(`the parent "${up}" of message "${at}" is not in the conversation`);
        parent.set(at, null);
        break;
      }
      if (up === null) {
        parent.set(at, null);
        break;
      }
      at = up;
    }
    for (const link of chain) if (!parent.has(link)) parent.set(link, declared.get(link) ?? null);
  }
  const children = new Map<string, ChatMessage[]>();
  for (const [id, message] of byId) {
    const key = parent.get(id) ?? ROOT;
    const list = children.get(key);
    if (list) list.push(message);
    else children.set(key, [message]);
  }
  return { byId, parent, children, problems };
}

/** The versions on screen, from the first message down: what is shown, searched first and sent. */
export function activePath(conversation: Branching, tree = treeOf(conversation.messages)): ChatMessage[] {
  const path: ChatMessage[] = [];
  let key = ROOT;
  for (;;) {
    const kids = tree.children.get(key);
    if (!kids || kids.length === 0) return path;
    const chosen = conversation.activeChild?.[key];
    const next = kids.find((k) => k.id === chosen) ?? kids.at(-1)!;
    path.push(next);
    key = next.id;
  }
}

export type Versions = {
  /** 1-based position of this message among the versions at its point. */
  index: number;
  count: number;
  /** The versions at this point, oldest first. */
  ids: string[];
};

/** Where `messageId` stands among the versions at its point (null: no such message). */
export function versionsOf(tree: Tree, messageId: string): Versions | null {
  if (!tree.byId.has(messageId)) return null;
  const siblings = tree.children.get(tree.parent.get(messageId) ?? ROOT) ?? [];
  const ids = siblings.map((m) => m.id);
  return { index: ids.indexOf(messageId) + 1, count: ids.length, ids };
}

/** Why this conversation is not a tree Sluice can store, or null. Import refuses a file with any. */
export function branchProblems(conversation: Branching): string[] {
  const tree = treeOf(conversation.messages);
  const problems = [...tree.problems];
  for (const [key, child] of Object.entries(conversation.activeChild ?? {})) {
    if (!tree.byId.has(child))
      problems.push(`the version on screen "${child}" is not a message of the conversation`);
    else if ((tree.parent.get(child) ?? ROOT) !== key)
      problems.push(
        key === ROOT
          ? `the version on screen "${child}" is not a first message`
          : `the version on screen "${child}" does not follow message "${key}"`,
      );
  }
  return problems;
}

// ───── Changes (main process: the service and the store change a conversation read with get) ─────

/**
 * Writes `parentId` where the array order no longer says it (a message removed before it, a
 * repaired parent), and only there, so messages that did not move stay byte for byte as they were.
 */
function keepParents(messages: ChatMessage[], parent: Map<string, string | null>): void {
  messages.forEach((m, i) => {
    const want = parent.get(m.id) ?? null;
    if (declaredParent(messages, i) !== want || ('parentId' in m && m.parentId !== want)) m.parentId = want;
  });
}

/** Makes the version `messageId` (and each of its ancestors) the one on screen at its point. */
export function selectVersion(conversation: Conversation, messageId: string): boolean {
  const tree = treeOf(conversation.messages);
  if (!tree.byId.has(messageId)) return false;
  const active = { ...conversation.activeChild };
  for (let at: string | null = messageId; at !== null; at = tree.parent.get(at) ?? null)
    active[tree.parent.get(at) ?? ROOT] = at;
  conversation.activeChild = active;
  return true;
}

/** Adds `message` as a new child of `parentId` (null: a new first message) and puts it on screen. */
export function addVersion(conversation: Conversation, message: ChatMessage, parentId: string | null): void {
  const tree = treeOf(conversation.messages);
  conversation.messages.push({ ...message, parentId });
  tree.parent.set(message.id, parentId);
  keepParents(conversation.messages, tree.parent);
  conversation.activeChild = { ...conversation.activeChild, [parentId ?? ROOT]: message.id };
}

/**
 * Stores a turn's answer: replaced where it is when the conversation has it (a save while it
 * streams, Continue's joined answer), else added under `parentId` and put on screen. Whatever else
 * changed meanwhile (another version chosen, a branch deleted) stays as it is.
 */
export function putAnswer(conversation: Conversation, message: ChatMessage, parentId: string | null): void {
  const at = conversation.messages.findIndex((m) => m.id === message.id);
  if (at < 0) {
    addVersion(conversation, message, parentId);
    return;
  }
  const old = conversation.messages[at]!;
  conversation.messages[at] = 'parentId' in old ? { ...message, parentId: old.parentId ?? null } : message;
}

/** The ids of `messageId` and everything below it, in every version. */
export function branchOf(tree: Tree, messageId: string): Set<string> {
  const out = new Set<string>();
  const stack = [messageId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id) || !tree.byId.has(id)) continue;
    out.add(id);
    for (const child of tree.children.get(id) ?? []) stack.push(child.id);
  }
  return out;
}

/** Removes `messageId` with its branch below it; the version beside it (if any) comes on screen. */
export function deleteBranch(conversation: Conversation, messageId: string): number {
  const tree = treeOf(conversation.messages);
  const gone = branchOf(tree, messageId);
  if (gone.size === 0) return 0;
  conversation.messages = conversation.messages.filter((m) => !gone.has(m.id));
  keepParents(conversation.messages, tree.parent);
  const active: Record<string, string> = {};
  for (const [key, child] of Object.entries(conversation.activeChild ?? {}))
    if (!gone.has(key) && !gone.has(child)) active[key] = child;
  conversation.activeChild = active;
  return gone.size;
}
