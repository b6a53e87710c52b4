/** Cities with their coordinates, for the geo tests: distances from Paris are what they check. */
export interface City {
  name: string;
  country: string;
  lat: number;
  lng: number;
}

export const CITIES: readonly City[] = [
  { name: 'Paris', country: 'FR', lat: 48.8566, lng: 2.3522 },
  { name: 'London', country: 'GB', lat: 51.5074, lng: -0.1278 },
  { name: 'Brussels', country: 'BE', lat: 50.8503, lng: 4.3517 },
  { name: 'Amsterdam', country: 'NL', lat: 52.3676, lng: 4.9041 },
  { name: 'Berlin', country: 'DE', lat: 52.52, lng: 13.405 },
  { name: 'Madrid', country: 'ES', lat: 40.4168, lng: -3.7038 },
  { name: 'Rome', country: 'IT', lat: 41.9028, lng: 12.4964 },
  { name: 'Lyon', country: 'FR', lat: 45.764, lng: 4.8357 },
  { name: 'Marseille', country: 'FR', lat: 43.2965, lng: 5.3698 },
  { name: 'Geneva', country: 'CH', lat: 46.2044, lng: 6.1432 },
  { name: 'New York', country: 'US', lat: 40.7128, lng: -74.006 },
];

export const PARIS = { lat: 48.8566, lng: 2.3522 };
