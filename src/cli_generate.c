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

/* Word lists for sentences built from templates: our own words about an
 * imaginary college. Picks favour the front of each list (zipf()), so, as
 * in real text, a few words are everywhere and most are rare. */
static const char *const en_nouns[] = {
	"students", "college", "campus", "library", "staff", "faculty", "programme", "research",
	"course", "department", "lecture", "project", "team", "city", "council", "union",
	"committee", "workshop", "graduates", "exhibition", "conference", "seminar", "festival",
	"concert", "choir", "orchestra", "theatre", "museum", "garden", "greenhouse", "river",
	"bridge", "stadium", "gym", "pool", "canteen", "kitchen", "dormitory", "hall", "tower",
	"archive", "studio", "engineering", "mathematics", "physics", "chemistry", "biology",
	"medicine", "nursing", "history", "philosophy", "economics", "law", "music", "painting",
	"poetry", "journalism", "architecture", "geography", "astronomy", "linguistics",
	"statistics", "agriculture", "forestry", "ecology", "energy", "water", "transport",
	"housing", "budget", "funding", "grant", "award", "prize", "medal", "trophy", "record",
	"survey", "report", "study", "experiment", "prototype", "telescope", "microscope",
	"satellite", "drone", "battery", "sensor", "robot", "software", "network", "database",
	"website", "podcast", "newsletter", "magazine", "journal", "textbook", "manuscript", "map",
	"laboratory", "collection", "donation", "partnership", "exchange", "delegation",
	"visitors", "alumni", "parents", "neighbours", "residents", "farmers", "nurses", "doctors",
	"teachers", "librarians", "engineers", "architects", "athletes", "rowers", "swimmers",
	"runners", "cyclists", "climbers", "debaters", "musicians", "singers", "dancers", "actors",
	"painters", "volunteers", "writers", "poets", "historians", "chemists", "biologists",
	"physicists", "astronomers", "economists", "lawyers", "councillors", "landlords",
	"employers", "apprentices", "interns", "trainees", "mentors", "tutors", "examiners",
	"inspectors", "orchard", "vineyard", "meadow", "wetland", "reservoir", "harbour",
	"lighthouse", "observatory", "planetarium", "aquarium", "scholarship", "herbarium",
	"apiary", "beehives", "compost", "bicycles", "ferries", "tramline", "footpath",
	"boardwalk", "courtyard", "rooftop", "basement", "attic", "chapel", "cloister",
	"gatehouse", "boathouse", "pavilion", "marathon", "regatta", "tournament", "hackathon",
	"olympiad", "quiz", "auction", "bazaar", "harvest", "lantern", "kite", "mural",
	"sculpture", "tapestry", "fresco", "violin", "cello", "harp", "organ", "trumpet",
	"clarinet", "robotics", "drums", "accordion", "fossil", "meteorite", "glacier", "volcano",
	"earthquake", "drought", "flood", "storm", "algae", "lichen", "moss", "fungi", "orchids",
	"tulips", "sunflowers", "seedlings", "hedgehogs", "otters", "kingfishers", "herons",
	"swallows", "owls", "bats", "butterflies",
};
static const char *const en_adjs[] = {
	"new", "annual", "local", "public", "first", "international", "national", "student",
	"joint", "open", "free", "young", "historic", "popular", "weekly", "monthly", "green",
	"digital", "rural", "urban", "coastal", "northern", "southern", "renovated", "restored",
	"experimental", "interdisciplinary", "bilingual", "volunteer", "evening", "summer",
	"winter", "spring", "autumn", "quiet", "crowded", "ambitious", "modest", "remarkable",
	"unusual", "award-winning", "long-awaited", "solar-powered", "hand-built", "centuries-old",
};
static const char *const en_verbs[] = {
	"opened", "visited", "presented", "reviewed", "announced", "launched", "hosted",
	"welcomed", "celebrated", "funded", "studied", "measured", "restored", "designed", "built",
	"planted", "repaired", "recorded", "published", "organised", "supported", "explored",
	"mapped", "tested", "catalogued", "surveyed", "rehearsed", "performed", "donated",
	"digitised", "translated", "photographed", "monitored", "harvested", "refurbished",
};
static const char *const en_places[] = {
	"on the main campus", "in the city centre", "behind the old library", "near the river",
	"at the science park", "in the east wing", "at the harbour", "in the botanical garden",
	"at the county fair", "in the sports hall", "on the north field", "at the town hall",
	"in the student union", "at the museum", "in three villages", "across the region",
};
static const char *const en_times[] = {
	"on Tuesday", "last week", "this spring", "during the winter break", "over the weekend",
	"on Friday evening", "in the autumn term", "after months of planning", "for the first time",
	"once again", "this morning", "in March", "in October", "since January",
};
static const char *const zh_words[] = {
	"学生", "老师", "校园", "研究", "课程", "实验", "教学", "会议", "项目", "合作",
	"交流", "活动", "比赛", "讲座", "展览", "论坛", "报告", "调查", "工程", "数学",
	"物理", "化学", "生物", "医学", "护理", "历史", "哲学", "经济", "法律", "音乐",
	"美术", "诗歌", "新闻", "建筑", "地理", "天文", "语言", "统计", "农业", "林业",
	"学院", "生态", "能源", "水利", "交通", "住房", "预算", "经费", "基金", "奖项",
	"奖杯", "记录", "样机", "望远镜", "显微镜", "卫星", "电池", "传感器", "机器人", "软件",
	"网络", "数据", "网站", "杂志", "期刊", "教材", "手稿", "地图", "藏品", "捐赠",
	"伙伴", "代表团", "校友", "家长", "居民", "农民", "护士", "医生", "工程师", "运动员",
	"图书", "合唱团", "乐团", "剧场", "博物馆", "花园", "温室", "河边", "桥梁", "体育馆",
	"游泳池", "食堂", "宿舍", "礼堂", "档案馆", "工作室", "果园", "湿地", "水库", "港口",
	"灯塔", "天文台", "水族馆", "蜂箱", "自行车", "步道", "庭院", "屋顶", "马拉松", "赛艇",
	"乒乓球", "拍卖", "集市", "丰收", "灯笼", "风筝", "壁画", "雕塑", "小提琴", "化石",
	"志愿", "冰川", "火山", "干旱", "洪水", "风暴", "苔藓", "兰花", "向日葵", "树苗",
	"刺猬", "水獭", "苍鹭", "燕子", "能耗",
};
static const char *const zh_verbs[] = {
	"举办了", "参观了", "展示了", "讨论了", "宣布了", "启动了", "欢迎", "庆祝了", "资助了",
	"研究了", "测量了", "修复了", "设计了", "建成了", "种下了", "记录了", "发布了", "组织了",
	"支持", "探索了", "测试了", "整理了", "排练了", "演出了", "翻译了", "监测了", "收获了",
};
static const char *const zh_places[] = {
	"在主校区", "在市中心", "在老图书馆后面", "在河边", "在科技园", "在东楼", "在港口",
	"在植物园", "在体育馆", "在北区操场", "在市政厅", "在学生会", "在博物馆", "在三个村子",
};
static const char *const zh_times[] = {
	"本周二", "上周", "今年春天", "寒假期间", "周末", "周五晚上", "秋季学期", "经过数月筹备",
	"首次", "再次", "今天上午", "三月", "十月", "年初以来",
};

/* A small deterministic generator, so a seed always gives the same site. */
static unsigned long long rng_state;
static unsigned pick(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

/* An index below n, small ones far likelier: index k comes up about in
 * proportion to 1 / (k + 1), Zipf's law of word frequencies. A power of two
 * is picked evenly, then an index within [2^b - 1, 2^(b+1) - 1). */
static unsigned zipf(unsigned n)
{
	unsigned bits = 0;
	while ((1u << bits) < n + 1)
		bits++;
	for (;;) {
		unsigned b = pick(bits), k = (1u << b) - 1 + pick(1u << b);
		if (k < n)
			return k;
	}
}

#define PICK(arr) arr[pick(sizeof arr / sizeof arr[0])]
#define ZIPF(arr) arr[zipf(sizeof arr / sizeof arr[0])]

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

/* Names of people and places, composed from parts: hundreds of each, every
 * one rare, the long tail of real news text. */
static const char *const en_given[] = {
	"Alice", "Ben", "Clara", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jonah",
	"Kira", "Liam", "Maya", "Noor", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tess",
	"Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Chloe", "Dev",
};
static const char *const en_name_a[] = {
	"Ash", "Brook", "Elm", "Fair", "Green", "Hart", "Kings", "Lang", "Mill", "North", "Oak",
	"Red", "Stan", "West", "Wood", "Bar", "Cal", "Dun", "Fen", "Glen", "Hal", "Lin", "Mor",
	"Pen", "Ros", "Sel", "Thorn", "Wal", "Bel", "Cor", "Ald", "Brad", "Chil", "Hay", "Whit",
};
static const char *const en_name_b[] = {
	"ford", "field", "ley", "ton", "wood", "bury", "wick", "more", "dale", "ham", "well",
	"stead", "brook", "worth", "by", "combe", "hurst", "mere",
};
static const char *const zh_surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
	"林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
};
static const char *const zh_given[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
	"明", "超", "秀", "霞", "平", "刚", "英", "华", "玉", "萍", "红", "玲", "燕", "彬", "鹏",
	"辉", "建", "志", "文", "斌", "宇", "浩", "凯", "晨", "欣", "怡", "雨", "轩", "涵", "博",
	"俊", "思", "佳", "嘉", "然",
};
static const char *const zh_place_a[] = {
	"东", "西", "南", "北", "青", "白", "石", "金", "清", "安", "长", "平", "永", "新", "红",
	"柳", "桃", "梅", "松", "云",
};
static const char *const zh_place_b[] = {
	"山", "河", "湖", "桥", "林", "港", "田", "溪", "岭", "湾",
};

/* "Grace Ashford of Millbury" */
static void en_person(struct buf *b)
{
	buf_printf(b, "%s %s%s of %s%s", PICK(en_given), PICK(en_name_a), PICK(en_name_b),
		   PICK(en_name_a), PICK(en_name_b));
}

/* "来自青山镇的王思雨" */
static void zh_person(struct buf *b)
{
	buf_printf(b, "来自%s%s镇的%s%s%s", PICK(zh_place_a), PICK(zh_place_b), PICK(zh_surnames),
		   PICK(zh_given), pick(2) ? PICK(zh_given) : "");
}

/* One English sentence: who did what, where, when. */
static void en_sentence(struct buf *b)
{
	const char *who = ZIPF(en_nouns), *what = ZIPF(en_nouns);
	switch (pick(5)) {
	case 4:
		en_person(b);
		buf_printf(b, " said the %s %s %s.", who, ZIPF(en_verbs), what);
		break;
	case 0:
		buf_printf(b, "The %s %s %s the %s %s %s.", ZIPF(en_adjs), who, ZIPF(en_verbs),
			   what, PICK(en_places), PICK(en_times));
		break;
	case 1:
		buf_printf(b, "%s the %s of the %s %s the %s %s %s.", PICK(en_times), who,
			   ZIPF(en_nouns), ZIPF(en_verbs), ZIPF(en_adjs), what, PICK(en_places));
		break;
	case 2:
		buf_printf(b, "More than %u %s %s a %s %s and the %s %s.", 20 + pick(480), who,
			   ZIPF(en_verbs), ZIPF(en_adjs), what, ZIPF(en_nouns), PICK(en_times));
		break;
	default:
		buf_printf(b, "Organisers said the %s and the %s %s %s %s.", who, what,
			   ZIPF(en_verbs), ZIPF(en_nouns), PICK(en_places));
	}
}

/* One Chinese sentence, from the same kind of parts. */
static void zh_sentence(struct buf *b)
{
	switch (pick(4)) {
	case 3:
		zh_person(b);
		buf_printf(b, "表示，%s%s%s%s。", ZIPF(zh_words), ZIPF(zh_verbs), ZIPF(zh_words),
			   ZIPF(zh_words));
		break;
	case 0:
		buf_printf(b, "%s，%s%s%s%s%s。", PICK(zh_times), ZIPF(zh_words), PICK(zh_places),
			   ZIPF(zh_verbs), ZIPF(zh_words), ZIPF(zh_words));
		break;
	case 1:
		buf_printf(b, "%s%u名%s%s%s%s。", PICK(zh_places), 20 + pick(480), ZIPF(zh_words),
			   ZIPF(zh_verbs), ZIPF(zh_words), ZIPF(zh_words));
		break;
	default:
		buf_printf(b, "据介绍，%s和%s%s%s，%s%s。", ZIPF(zh_words), ZIPF(zh_words),
			   PICK(zh_times), ZIPF(zh_verbs), ZIPF(zh_words), ZIPF(zh_words));
	}
}

/* One article's text: a title and 6-14 paragraphs (about 2-5 KB). */
static void make_article(struct buf *title, struct buf *body, bool zh, long long n)
{
	buf_reset(title);
	buf_reset(body);
	if (zh)
		buf_printf(title, "%s%s%s%s（第%lld期）", ZIPF(zh_words), ZIPF(zh_verbs),
			   ZIPF(zh_words), ZIPF(zh_words), n);
	else
		buf_printf(title, "%s %s %s No. %lld", ZIPF(en_nouns), ZIPF(en_verbs),
			   ZIPF(en_nouns), n);
	if (!zh && title->data[0] >= 'a' && title->data[0] <= 'z')
		title->data[0] = (char)(title->data[0] - 'a' + 'A');
	int paras = 6 + (int)pick(9);
	for (int p = 0; p < paras; p++) {
		int sentences = 2 + (int)pick(4);
		for (int s = 0; s < sentences; s++) {
			size_t at = body->len;
			if (zh) {
				zh_sentence(body);
			} else {
				en_sentence(body);
				if (body->data[at] >= 'a' && body->data[at] <= 'z')
					body->data[at] = (char)(body->data[at] - 'a' + 'A');
				buf_putc(body, ' ');
			}
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
