// Where alert destinations are kept, their secrets sealed at rest by the backend.
import type { Destination, DestinationSpec } from './destination.js';

export interface DestinationStore {
  createDestination(spec: DestinationSpec, now: number): Promise<Destination>;
  getDestination(id: string): Promise<Destination | undefined>;
  /** Every destination, in creation order. */
  listDestinations(): Promise<Destination[]>;
  replaceDestination(id: string, spec: DestinationSpec, now: number): Promise<Destination | undefined>;
  deleteDestination(id: string): Promise<boolean>;
}
