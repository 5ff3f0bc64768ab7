// Package config loads aitrail's configuration file and resolves the
// locations that depend on the environment: the config file itself, the
// database, and the user's home. It knows nothing of what the settings
// drive.
package config
