/**
 * Change events in the app's terms, and the `$match` that filters them by a juggler where. Pure:
 * the stream itself is in ./index.ts.
 */
import type { Document, ResumeToken, Timestamp } from 'mongodb';
import { InvalidQueryError } from '../errors';
import { appPath, type ModelInfo } from '../model-info';
import type { AppData } from '../operations/context';
import { buildFilter } from '../query/where';
import { isPlainObject, type SanitizeOptions } from '../sanitize';
import { fromStoredDocument, fromStoredValue } from '../values';

/** One change to a model's collection, as the app sees its data. */
export interface ModelChange {
  /** MongoDB's name for it: insert, update, replace, delete; drop, rename, invalidate... */
  operationType: string;
  /** The changed instance's id as the app sees it (a 24-hex string for ObjectIds). */
  id?: unknown;
  /**
   * The instance after the change, mapped as `find` maps it: inserts and replaces always, updates
   * with `fullDocument: 'updateLookup'` (the default when a where is given).
   */
  data?: AppData;
  /** The instance before the change, when `fullDocumentBeforeChange` asked for it. */
  before?: AppData;
  /** For updates: the properties set, by property name (dotted paths inside objects). */
  updatedFields?: AppData;
  /** For updates: the properties removed, by property name. */
  removedFields?: string[];
  /** Pass as `resumeAfter` to carry on after this change, e.g. after a restart. */
  token: ResumeToken;
  clusterTime?: Timestamp;
}

/** Operations whose event carries the document after the change. */
const DOCUMENT_OPERATIONS = ['insert', 'update', 'replace'];
const LOGICAL = new Set(['$and', '$or', '$nor']);
/** Query operators an aggregation `$match` does not take. */
const NOT_IN_MATCH = new Set(['$near', '$nearSphere', '$where', '$text']);

/**
 * The pipeline that keeps the changes whose document matches `where`, translated exactly as
 * `find` translates it. A where on the id alone is matched on the event's `documentKey`, which
 * every change to a document has. Any other is matched on the document after the change
 * (`fullDocument`); a delete has none: with pre-images (`preImages`) it is matched on the
 * document before it, otherwise it cannot be told apart and every delete passes.
 */
export function changeStreamPipeline(
  info: ModelInfo,
  where: unknown,
  sanitize: SanitizeOptions,
  preImages: boolean,
): Document[] {
  const filter = buildFilter(info, where, sanitize);
  const keys = Object.keys(filter);
  if (keys.length === 0) return [];
  if (keys.every((key) => key === '_id')) {
    return [{ $match: underRoot(info, filter, 'documentKey') }];
  }
  const deletes: Document = preImages
    ? { operationType: 'delete', ...underRoot(info, filter, 'fullDocumentBeforeChange') }
    : { operationType: 'delete' };
  return [
    {
      $match: {
        $or: [
          {
            operationType: { $in: DOCUMENT_OPERATIONS },
            ...underRoot(info, filter, 'fullDocument'),
          },
          deletes,
        ],
      },
    },
  ];
}

/** Whether a where needs the whole document after the change (one on the id alone does not). */
export function needsFullDocument(pipeline: Document[]): boolean {
  return pipeline.length > 0 && !('documentKey._id' in pipeline[0].$match);
}

/** A find filter moved under `root` of the change event: `{a: 1}` -> `{'fullDocument.a': 1}`. */
function underRoot(info: ModelInfo, filter: Document, root: string): Document {
  const moved: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if (LOGICAL.has(key)) {
      moved[key] = (value as Document[]).map((part) => underRoot(info, part, root));
    } else if (key.startsWith('$')) {
      throw new InvalidQueryError(info.model, `${key} cannot filter a change stream`);
    } else {
      if (isPlainObject(value)) {
        const refused = Object.keys(value).find((op) => NOT_IN_MATCH.has(op));
        if (refused) {
          throw new InvalidQueryError(info.model, `${refused} cannot filter a change stream`, key);
        }
      }
      moved[`${root}.${key}`] = value;
    }
  }
  return moved;
}

/** A driver change event mapped through the model's field names and value types. */
export function toModelChange(info: ModelInfo, event: Document): ModelChange {
  const change: ModelChange = { operationType: event.operationType, token: event._id };
  if (event.clusterTime) change.clusterTime = event.clusterTime;
  const key = event.documentKey as Document | undefined;
  if (key && '_id' in key) change.id = fromStoredValue(info.idProperty, key._id);
  if (event.fullDocument) change.data = fromStoredDocument(info, event.fullDocument);
  if (event.fullDocumentBeforeChange) {
    change.before = fromStoredDocument(info, event.fullDocumentBeforeChange);
  }
  const update = event.updateDescription as
    { updatedFields?: Document; removedFields?: string[] } | undefined;
  if (update) {
    const updatedFields: AppData = {};
    for (const [path, value] of Object.entries(update.updatedFields ?? {})) {
      const { name, whole } = appPath(info, path);
      updatedFields[name] = fromStoredValue(
        whole ? info.propertyByField.get(path) : undefined,
        value,
      );
    }
    change.updatedFields = updatedFields;
    change.removedFields = (update.removedFields ?? []).map((path) => appPath(info, path).name);
  }
  return change;
}
