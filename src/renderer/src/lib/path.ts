// The conversation on screen as the components see it: one list, its active path
// (shared/versions.ts), and where each message stands among its versions. A stored conversation in
// the page is never changed in place, so both are computed once per conversation object.
import type { ChatMessage, Conversation } from '../../../shared/protocol';
import { activePath, branchOf, treeOf, versionsOf, type Tree, type Versions } from '../../../shared/versions';

const NONE: ChatMessage[] = [];
const views = new WeakMap<Conversation, { tree: Tree; path: ChatMessage[] }>();

function viewOf(conversation: Conversation) {
  let view = views.get(conversation);
  if (!view) {
    const tree = treeOf(conversation.messages);
    view = { tree, path: activePath(conversation, tree) };
    views.set(conversation, view);
  }
  return view;
}

/** The messages on screen, first to last. */
export const pathOf = (conversation: Conversation | null | undefined): ChatMessage[] =>
  conversation ? viewOf(conversation).path : NONE;

export const versionsIn = (
  conversation: Conversation | null | undefined,
  messageId: string,
): Versions | null => (conversation ? versionsOf(viewOf(conversation).tree, messageId) : null);

/** How many messages deleting `messageId` removes: it and everything below it, in every version. */
export const branchSizeIn = (conversation: Conversation | null | undefined, messageId: string): number =>
  conversation ? branchOf(viewOf(conversation).tree, messageId).size : 0;
