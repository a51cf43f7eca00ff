<?php
/**
 * Anchor for issue 11: how fast WordPress 6.1 itself writes an imported WXR export's posts and
 * comments, on the anchor site of /work/shared/bench-anchors (MariaDB, run it up first with
 * ./setup-wordpress.sh). Run by bench/wordpress_anchor_import.py; alone, as root:
 *
 *   php bench/wordpress_anchor_import.php FILE.xml      delete the previous run's posts, import FILE
 *   php bench/wordpress_anchor_import.php --cleanup     only delete what an earlier run inserted
 *
 * The write path is the official WordPress Importer plugin's (wordpress-importer,
 * WP_Import::import() and process_posts()), which is not packaged for Debian and cannot be
 * fetched offline, so it is reproduced here call by call:
 *   - WP_IMPORTING defined and the current user an administrator, as wp-admin/admin.php and the
 *     importer's request have them (so no ping/enclosure jobs per published post, and kses as an
 *     administrator's: comment bodies through wp_filter_post_kses, posts unfiltered);
 *   - wp_defer_term_counting(true), wp_defer_comment_counting(true) (import_start()),
 *     wp_suspend_cache_invalidation(true) around the loop, and at the end (import_end())
 *     wp_cache_flush() and both deferrals turned off, which writes the deferred counts;
 *   - per post item (wp:post_type post): post_exists() on title and date, then wp_insert_post()
 *     (status publish; title, content, excerpt, dates, slug, comment and ping status, guid,
 *     the current user as author);
 *   - per comment of that post, in the order of their old ids (ksort): comment_parent mapped
 *     from the old id to the new one when that parent was inserted, wp_slash(),
 *     wp_filter_comment(), wp_insert_comment(), then add_comment_meta() for its wp:commentmeta;
 *     when the post already existed, comment_exists() first, as the importer does.
 * No transaction: every statement autocommits, as under the importer.
 * Not done (the importer does them; each would only add time to WordPress's side): terms and
 * post meta from the file, pages and attachments, the post's own status, import_id.
 * Each post written carries the post meta _wpbench_anchor_import (given through meta_input),
 * so the next run can delete exactly these posts and their comments and keep the site's own.
 *
 * The file is read as a stream (XMLReader, one <item> expanded at a time). Prints one line of
 * JSON: posts, comments, seconds (the loop, reading included, and the end's deferred counts),
 * loop_seconds, finish_seconds, write_seconds (inside the WordPress calls only), sql_queries,
 * comments_per_second, peak_memory_bytes, and the MariaDB settings that bear on it.
 */

$args    = array_slice( $argv, 1 );
$cleanup = in_array( '--cleanup', $args, true );
$files   = array_values( array_filter( $args, function ( $a ) { return '--' !== substr( $a, 0, 2 ); } ) );
if ( ! $cleanup && 1 !== count( $files ) ) {
	fwrite( STDERR, "usage: php wordpress_anchor_import.php FILE.xml | --cleanup\n" );
	exit( 2 );
}

// As /work/shared/bench-anchors/load-wordpress.php sets them (Debian's wp-config.php picks the
// site's config by host name).
$_SERVER['HTTP_HOST']       = getenv( 'WPBENCH_HOST' ) ?: '127.0.0.1:8081';
$_SERVER['SERVER_NAME']     = '127.0.0.1';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

// wp-admin/admin.php defines it before running an importer.
define( 'WP_IMPORTING', true );
require '/usr/share/wordpress/wp-load.php';
// The importer runs inside wp-admin: post_exists(), comment_exists().
require_once ABSPATH . 'wp-admin/includes/admin.php';

const TAG_KEY = '_wpbench_anchor_import';
const NS_WP   = 'http://wordpress.org/export/1.2/';
const NS_CONT = 'http://purl.org/rss/1.0/modules/content/';
const NS_EXC  = 'http://wordpress.org/export/1.2/excerpt/';

function say( $s ) {
	fwrite( STDERR, "[wordpress_anchor_import] $s\n" );
}

if ( ! is_blog_installed() ) {
	say( 'WordPress is not installed: run /work/shared/bench-anchors/setup-wordpress.sh first' );
	exit( 1 );
}

/** Delete the posts an earlier run tagged, their comments and meta, straight in SQL. */
function delete_previous_run() {
	global $wpdb;
	$ids = array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT post_id FROM {$wpdb->postmeta} WHERE meta_key = %s", TAG_KEY ) ) );
	$n_comments = 0;
	$tt_ids     = array();
	foreach ( array_chunk( $ids, 500 ) as $chunk ) {
		$in = implode( ',', $chunk );
		$wpdb->query( "DELETE cm FROM {$wpdb->commentmeta} cm JOIN {$wpdb->comments} c ON c.comment_ID = cm.comment_id WHERE c.comment_post_ID IN ($in)" );
		$n_comments += (int) $wpdb->query( "DELETE FROM {$wpdb->comments} WHERE comment_post_ID IN ($in)" );
		$wpdb->query( "DELETE FROM {$wpdb->postmeta} WHERE post_id IN ($in)" );
		$tt_ids = array_merge( $tt_ids, $wpdb->get_col( "SELECT DISTINCT term_taxonomy_id FROM {$wpdb->term_relationships} WHERE object_id IN ($in)" ) );
		$wpdb->query( "DELETE FROM {$wpdb->term_relationships} WHERE object_id IN ($in)" );
		$wpdb->query( "DELETE FROM {$wpdb->posts} WHERE ID IN ($in) OR post_parent IN ($in)" );
	}
	wp_cache_flush();
	foreach ( array_unique( array_map( 'intval', $tt_ids ) ) as $tt_id ) {
		$term = get_term_by( 'term_taxonomy_id', $tt_id );
		if ( $term ) {
			wp_update_term_count_now( array( $tt_id ), $term->taxonomy );
		}
	}
	if ( $ids ) {
		say( 'deleted ' . count( $ids ) . " posts and $n_comments comments of an earlier run" );
	}
}

function mariadb_settings() {
	global $wpdb;
	$row = $wpdb->get_row( 'SELECT @@version AS version, @@autocommit AS autocommit, @@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit, @@sync_binlog AS sync_binlog, @@log_bin AS log_bin, @@innodb_buffer_pool_size AS innodb_buffer_pool_size, @@innodb_doublewrite AS innodb_doublewrite', ARRAY_A );
	return $row ?: array();
}

delete_previous_run();
if ( $cleanup ) {
	echo wp_json_encode( array( 'cleanup' => true ) ), "\n";
	exit( 0 );
}

$file = $files[0];
if ( ! is_readable( $file ) ) {
	say( "cannot read $file" );
	exit( 1 );
}

// The importer's request is an administrator's (unfiltered_html): set_current_user runs
// kses_init(), which takes kses off posts and leaves wp_filter_post_kses on comment bodies.
$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'orderby' => 'ID', 'fields' => 'ID' ) );
if ( ! $admins ) {
	say( 'no administrator on the anchor site' );
	exit( 1 );
}
wp_set_current_user( (int) $admins[0] );
$author = get_current_user_id();

/** The text of a SimpleXML element, '' when absent. */
function text( $el ) {
	return null === $el ? '' : (string) $el;
}

$posts       = 0;
$comments    = 0;
$skipped     = 0;
$write_time  = 0.0;

global $wpdb;
gc_collect_cycles();
$reader = new XMLReader();
if ( ! $reader->open( $file, null, LIBXML_NONET | LIBXML_PARSEHUGE ) ) {
	say( "cannot open $file as XML" );
	exit( 1 );
}

$queries_before = $wpdb->num_queries;
$started        = microtime( true );
// import_start() and import().
wp_defer_term_counting( true );
wp_defer_comment_counting( true );
do_action( 'import_start' );
wp_suspend_cache_invalidation( true );

$doc = new DOMDocument();
$ok  = $reader->read();
while ( $ok ) {
	if ( XMLReader::ELEMENT !== $reader->nodeType || 'item' !== $reader->name ) {
		$ok = $reader->read();
		continue;
	}
	$node = $reader->expand( $doc );
	$item = simplexml_import_dom( $node );
	$ok   = $reader->next();   // past this item's subtree: one item in memory at a time
	$wp   = $item->children( NS_WP );
	if ( 'post' !== text( $wp->post_type ) ) {
		continue;
	}
	if ( 'auto-draft' === text( $wp->status ) ) {
		continue;
	}
	$title     = text( $item->title );
	$post_date = text( $wp->post_date );

	// The comments as the importer gathers them, keyed by their old ids and sorted.
	$newcomments = array();
	foreach ( $wp->comment as $c ) {
		$meta = array();
		foreach ( $c->commentmeta as $m ) {
			$meta[] = array( 'key' => text( $m->meta_key ), 'value' => text( $m->meta_value ) );
		}
		$newcomments[ (int) $c->comment_id ] = array(
			'comment_author'       => text( $c->comment_author ),
			'comment_author_email' => text( $c->comment_author_email ),
			'comment_author_IP'    => text( $c->comment_author_IP ),
			'comment_author_url'   => text( $c->comment_author_url ),
			'comment_date'         => text( $c->comment_date ),
			'comment_date_gmt'     => text( $c->comment_date_gmt ),
			'comment_content'      => text( $c->comment_content ),
			'comment_approved'     => text( $c->comment_approved ),
			'comment_type'         => text( $c->comment_type ),
			'comment_parent'       => (int) $c->comment_parent,
			'commentmeta'          => $meta,
		);
	}
	ksort( $newcomments );
	$postdata = array(
		'post_author'    => $author,
		'post_date'      => $post_date,
		'post_date_gmt'  => text( $wp->post_date_gmt ),
		'post_content'   => text( $item->children( NS_CONT )->encoded ),
		'post_excerpt'   => text( $item->children( NS_EXC )->encoded ),
		'post_title'     => $title,
		'post_status'    => 'publish',
		'post_name'      => text( $wp->post_name ),
		'comment_status' => text( $wp->comment_status ),
		'ping_status'    => text( $wp->ping_status ),
		'guid'           => text( $item->guid ),
		'post_type'      => 'post',
		'meta_input'     => array( TAG_KEY => '1' ),
	);
	unset( $item, $wp, $node );

	$t0          = microtime( true );
	$post_exists = post_exists( $title, '', $post_date );
	if ( $post_exists && 'post' === get_post_type( $post_exists ) ) {
		$post_id = $post_exists;
	} else {
		$post_exists = 0;
		$post_id     = wp_insert_post( wp_slash( $postdata ), true );
		if ( is_wp_error( $post_id ) ) {
			$write_time += microtime( true ) - $t0;
			say( 'failed to import post "' . $title . '": ' . $post_id->get_error_message() );
			$skipped++;
			continue;
		}
		$posts++;
	}
	$inserted_comments = array();
	foreach ( $newcomments as $key => $comment ) {
		$comment['comment_post_ID'] = $post_id;
		if ( ! $post_exists || ! comment_exists( $comment['comment_author'], $comment['comment_date'] ) ) {
			if ( isset( $inserted_comments[ $comment['comment_parent'] ] ) ) {
				$comment['comment_parent'] = $inserted_comments[ $comment['comment_parent'] ];
			}
			$comment_data = wp_slash( $comment );
			unset( $comment_data['commentmeta'] );
			$comment_data = wp_filter_comment( $comment_data );

			$inserted_comments[ $key ] = wp_insert_comment( $comment_data );

			foreach ( $comment['commentmeta'] as $meta ) {
				$value = maybe_unserialize( $meta['value'] );
				add_comment_meta( $inserted_comments[ $key ], wp_slash( $meta['key'] ), wp_slash_strings_only( $value ) );
			}
			$comments++;
		}
	}
	$write_time += microtime( true ) - $t0;
	unset( $newcomments, $inserted_comments );
}
$reader->close();
wp_suspend_cache_invalidation( false );
$loop_done = microtime( true );

// import_end(): the caches, the term hierarchies, and the deferred counts written.
wp_cache_flush();
foreach ( get_taxonomies() as $tax ) {
	delete_option( "{$tax}_children" );
	_get_term_hierarchy( $tax );
}
wp_defer_term_counting( false );
wp_defer_comment_counting( false );
do_action( 'import_end' );
$finished = microtime( true );

$seconds = $finished - $started;
echo wp_json_encode(
	array(
		'system'              => 'WordPress ' . $GLOBALS['wp_version'],
		'posts'               => $posts,
		'comments'            => $comments,
		'failed_posts'        => $skipped,
		'seconds'             => round( $seconds, 3 ),
		'loop_seconds'        => round( $loop_done - $started, 3 ),
		'finish_seconds'      => round( $finished - $loop_done, 3 ),
		'write_seconds'       => round( $write_time, 3 ),
		'sql_queries'         => $wpdb->num_queries - $queries_before,
		'comments_per_second' => $seconds > 0 ? round( $comments / $seconds, 1 ) : null,
		'peak_memory_bytes'   => memory_get_peak_usage( true ),
		'php'                 => PHP_VERSION,
		'mariadb'             => mariadb_settings(),
	)
), "\n";
