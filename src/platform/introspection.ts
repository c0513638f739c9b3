import { Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** True when an operation asks only for `__schema`, `__type` or `__typename`: allowed without a token. */
export function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return onlyMetaFields(operation.selectionSet);
}

function onlyMetaFields(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
    if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMetaFields(selection.selectionSet);
    return false;
  });
}
