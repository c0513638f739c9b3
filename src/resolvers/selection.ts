import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Whether the query selects the nested field path (e.g. ['schedules', 'slots']) below this field. */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((node) => selectsIn(node.selectionSet, path, info));
}

function selectsIn(set: SelectionSetNode | undefined, path: readonly string[], info: GraphQLResolveInfo): boolean {
  if (!set || path.length === 0) return path.length === 0;
  return set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === path[0] && selectsIn(selection.selectionSet, path.slice(1), info);
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsIn(selection.selectionSet, path, info);
    return selectsIn(info.fragments[selection.name.value]?.selectionSet, path, info);
  });
}
