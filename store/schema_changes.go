package store

// changeTriggers5 is the part of migration 5 that creates the triggers
// filling the changes table: for each table push sends, on insert, update
// and delete, the session, commit or log file ("source") the row belongs
// to is marked with the current epoch. New raw lines need no trigger:
// ingest advances their source's watermark in the same transaction. Like
// every released migration, it never changes.
const changeTriggers5 = `
CREATE TRIGGER sessions_changed_ins AFTER INSERT ON sessions BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER sessions_changed_upd AFTER UPDATE ON sessions BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER sessions_changed_del AFTER DELETE ON sessions BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER prompts_changed_ins AFTER INSERT ON prompts BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER prompts_changed_upd AFTER UPDATE ON prompts BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER prompts_changed_del AFTER DELETE ON prompts BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER messages_changed_ins AFTER INSERT ON messages BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER messages_changed_upd AFTER UPDATE ON messages BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER messages_changed_del AFTER DELETE ON messages BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER tool_calls_changed_ins AFTER INSERT ON tool_calls BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER tool_calls_changed_upd AFTER UPDATE ON tool_calls BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER tool_calls_changed_del AFTER DELETE ON tool_calls BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER file_edits_changed_ins AFTER INSERT ON file_edits BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER file_edits_changed_upd AFTER UPDATE ON file_edits BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER file_edits_changed_del AFTER DELETE ON file_edits BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER token_usage_changed_ins AFTER INSERT ON token_usage BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER token_usage_changed_upd AFTER UPDATE ON token_usage BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER token_usage_changed_del AFTER DELETE ON token_usage BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER links_changed_ins AFTER INSERT ON links BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER links_changed_upd AFTER UPDATE ON links BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('session', NEW.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER links_changed_del AFTER DELETE ON links BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('session', OLD.session_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commits_changed_ins AFTER INSERT ON commits BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', NEW.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commits_changed_upd AFTER UPDATE ON commits BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', NEW.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commits_changed_del AFTER DELETE ON commits BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', OLD.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commit_prompts_changed_ins AFTER INSERT ON commit_prompts BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', NEW.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commit_prompts_changed_upd AFTER UPDATE ON commit_prompts BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', OLD.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('commit', NEW.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commit_prompts_changed_del AFTER DELETE ON commit_prompts BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', OLD.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commit_files_changed_ins AFTER INSERT ON commit_files BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', NEW.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commit_files_changed_upd AFTER UPDATE ON commit_files BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', OLD.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('commit', NEW.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commit_files_changed_del AFTER DELETE ON commit_files BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', OLD.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER sources_changed_ins AFTER INSERT ON sources BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('source', NEW.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER sources_changed_upd AFTER UPDATE ON sources BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('source', NEW.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER sources_changed_del AFTER DELETE ON sources BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('source', OLD.id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER raw_records_changed_upd AFTER UPDATE ON raw_records BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('source', OLD.source_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('source', NEW.source_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER raw_records_changed_del AFTER DELETE ON raw_records BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('source', OLD.source_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
`
