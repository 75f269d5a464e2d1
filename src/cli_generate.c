/* gazette generate COUNT: a large site of made-up articles, for benchmarks
 * and for trying Gazette at the scale of a big newsroom's archive. */
#include "cli.h"
#include "db_admin.h"
#include "md.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BATCH = 2000 };

/* Sentences to build bodies from: realistic length and word mix. Our own
 * text, about an imaginary college. */
static const char *const en_sentences[] = {
	"The faculty board met on Tuesday to review the new laboratory schedule for the spring term.",
	"Students from the engineering school presented prototypes built during the winter workshop.",
	"The library extended its opening hours during the examination weeks after a student petition.",
	"A delegation of visiting lecturers toured the workshops and discussed joint research projects.",
	"More than three hundred volunteers helped to plant trees along the river path behind the campus.",
	"The college choir performed a programme of folk songs from six countries at the city concert hall.",
	"Graduates who found work within six months of leaving rose for the third year in a row.",
	"The sports department announced new coaching sessions for swimming, rowing and table tennis.",
	"Researchers measured the energy use of every building and published the figures online.",
	"An alumni evening raised funds for two scholarships in applied mathematics and nursing.",
	"The student union organised a debate on housing costs with local councillors and landlords.",
	"Workshops on writing applications and preparing for interviews will be held every Thursday.",
};
static const char *const zh_sentences[] = {
	"学院召开教学工作会议，研究部署新学期实验课程安排。",
	"工程学院学生展示了寒假工作坊期间制作的作品原型。",
	"图书馆在考试周延长开放时间，方便同学们复习备考。",
	"来访的外国学者参观了实训基地，并就合作研究进行了深入交流。",
	"三百多名志愿者在校园后面的河边步道种下了新树苗。",
	"学院合唱团在市音乐厅演出了来自六个国家的民歌。",
	"毕业生半年内就业率连续第三年上升，用人单位评价良好。",
	"体育部宣布新增游泳、赛艇和乒乓球训练课程。",
	"研究人员测量了每栋建筑的能耗，并在网上公布了数据。",
	"校友联谊会为应用数学和护理专业筹集了两项奖学金。",
};
static const char *const en_topics[] = {"Laboratory", "Library", "Exchange", "Choir", "Volunteers",
					"Graduates", "Rowing", "Energy", "Scholarship", "Debate",
					"Workshop", "Concert", "Lecture", "Open Day", "Robotics"};
static const char *const en_verbs[] = {"opens", "welcomes", "celebrates", "hosts", "announces",
				       "reviews", "launches", "marks", "expands", "presents"};

/* A small deterministic generator, so a seed always gives the same site. */
static unsigned long long rng_state;
static unsigned pick(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

#define PICK(arr) arr[pick(sizeof arr / sizeof arr[0])]

/* Categories gen-1 … gen-8, each top level with one child. */
static int ensure_categories(struct cli *c, struct db *db, long long ids[16])
{
	for (int i = 0; i < 16; i++) {
		char slug[32], name[64];
		int top = i % 2 == 0;
		snprintf(slug, sizeof slug, top ? "gen-%d" : "gen-%d-sub", i / 2 + 1);
		snprintf(name, sizeof name, top ? "Archive %d" : "Archive %d section", i / 2 + 1);
		long long parent = top ? 0 : ids[i - 1];
		struct db_admin_category *cats;
		size_t n;
		if (db_admin_categories(db, &cats, &n) != SQLITE_OK)
			return -1;
		ids[i] = 0;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(cats[k].slug, slug))
				ids[i] = cats[k].id;
		db_admin_categories_free(cats, n);
		if (!ids[i] && db_admin_category_add(db, slug, name, parent, i / 2, c->now, &ids[i]) !=
				       SQLITE_OK) {
			cli_db_error(c, db, "generate: category");
			return -1;
		}
	}
	return 0;
}

/* One article's text: a title and 6-14 paragraphs (about 2-5 KB). */
static void make_article(struct buf *title, struct buf *body, bool zh, long long n)
{
	buf_reset(title);
	buf_reset(body);
	if (zh) {
		buf_printf(title, "%s（第%lld期）", PICK(zh_sentences), n);
	} else {
		buf_printf(title, "%s %s %s No. %lld", PICK(en_topics), PICK(en_verbs),
			   PICK(en_topics), n);
	}
	int paras = 6 + (int)pick(9);
	for (int p = 0; p < paras; p++) {
		int sentences = 2 + (int)pick(4);
		for (int s = 0; s < sentences; s++) {
			buf_puts(body, zh ? PICK(zh_sentences) : PICK(en_sentences));
			if (!zh)
				buf_putc(body, ' ');
		}
		buf_puts(body, "\n\n");
	}
}

int cli_cmd_generate(struct cli *c, int argc, char **argv)
{
	const char *seed_arg = NULL;
	const struct cli_opt opts[] = {{"--seed", &seed_arg, NULL}, {NULL, NULL, NULL}};
	const char *pos[1];
	int npos;
	if (cli_parse(c, "generate", argc, argv, opts, pos, 1, &npos))
		return CLI_USAGE;
	long long count, seed = 1;
	if (npos != 1 || !valid_int(pos[0], 1, 10000000, &count))
		return cli_usage(c, "generate", "give the number of articles, 1 to 10000000");
	if (seed_arg && !valid_int(seed_arg, 0, 1000000000, &seed))
		return cli_usage(c, "generate", "--seed takes a whole number");
	rng_state = (unsigned long long)seed;
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	long long cats[16];
	int ret = CLI_OK;
	if (db_begin_write(db) != SQLITE_OK || ensure_categories(c, db, cats) != 0 ||
	    db_commit(db) != SQLITE_OK) {
		db_rollback(db);
		db_close(db);
		return CLI_FAIL;
	}
	struct buf title = BUF_INIT, body = BUF_INIT, html = BUF_INIT;
	bool tty = isatty(fileno(c->err));
	/* Spread over the last five years, newest last, one every few minutes. */
	long long span = 5LL * 365 * 86400, step = span / count > 0 ? span / count : 1;
	long long start = c->now - span;
	for (long long done = 0; done < count && ret == CLI_OK;) {
		if (db_begin_write(db) != SQLITE_OK) {
			cli_db_error(c, db, "generate");
			ret = CLI_FAIL;
			break;
		}
		for (int i = 0; i < BATCH && done < count; i++, done++) {
			bool zh = pick(5) == 0;
			make_article(&title, &body, zh, done + 1);
			buf_reset(&html);
			md_render(body.data, body.len, &html);
			struct db_admin_article a = {
				.category_id = cats[pick(16)],
				.title = buf_cstr(&title),
				.summary = "",
				.body_md = buf_cstr(&body),
				.body_html = buf_cstr(&html),
				.source = zh ? "新闻中心" : "News Office",
				.author = zh ? "王晓" : "Staff writer",
				.status = "published",
				.has_published_at = true,
				.published_at = start + done * step + (long long)pick((unsigned)step),
				.pinned = false,
			};
			long long id;
			if (db_admin_article_add(db, &a, c->now, &id) != SQLITE_OK) {
				cli_db_error(c, db, "generate");
				ret = CLI_FAIL;
				break;
			}
		}
		if (ret != CLI_OK || db_commit(db) != SQLITE_OK) {
			db_rollback(db);
			ret = CLI_FAIL;
			break;
		}
		/* Progress: a rewritten line on a terminal, every 10% otherwise. */
		if (tty)
			fprintf(c->err, "\rgenerated %lld of %lld articles", done, count);
		else if (done == count || (done / BATCH) % ((count / BATCH / 10) + 1) == 0)
			fprintf(c->err, "generated %lld of %lld articles\n", done, count);
	}
	if (tty)
		fputc('\n', c->err);
	if (ret == CLI_OK) {
		fprintf(c->out, "generated %lld articles\n", count);
		cli_audit(c, db, "site.generate", "", 0, "");
	}
	buf_free(&title);
	buf_free(&body);
	buf_free(&html);
	db_close(db);
	return ret;
}
