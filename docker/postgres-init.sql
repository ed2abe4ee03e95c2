-- One database per service (each owns its tables).
CREATE DATABASE intake;
CREATE DATABASE registry;
CREATE DATABASE biometric;
CREATE DATABASE afis_sync;
CREATE DATABASE pusat_data;
CREATE DATABASE card_print;
CREATE DATABASE distribution;
CREATE DATABASE desks;
