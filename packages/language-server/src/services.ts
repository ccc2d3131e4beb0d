/**
 * The core services the server calls. A test fault (initializationOptions.skeneTestFault or
 * SKENE_TEST_FAULT) replaces one with a function that throws, to check the server stays up.
 */
import { validate } from '@skene/core/analysis';
import { codeActions, codeLenses, complete, definition, hover, symbols } from '@skene/core/language';

export const SERVICES = { complete, hover, codeActions, symbols, definition, codeLenses, validate };
export type Services = typeof SERVICES;

/** Fault names → the service they break. */
const FAULTS: Record<string, keyof Services> = {
  completion: 'complete',
  hover: 'hover',
  codeAction: 'codeActions',
  symbols: 'symbols',
  definition: 'definition',
  codeLens: 'codeLenses',
  diagnostics: 'validate',
};

export function withFault(fault: string | undefined): Services {
  const name = fault ? FAULTS[fault] : undefined;
  if (!name) return SERVICES;
  return {
    ...SERVICES,
    [name]: () => {
      throw new Error(`skeneTestFault: the ${fault} service failed on purpose`);
    },
  };
}
