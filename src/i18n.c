/* English and Chinese labels of the page chrome. */
#include "i18n.h"

#include <string.h>

static const struct {
	const char *key, *en, *zh;
} catalogue[] = {
	{"home", "Home", "首页"},
	{"location", "You are here", "当前位置"},
	{"published", "Published", "发表时间"},
	{"source", "Source", "来源"},
	{"views", "Views", "浏览量"},
	{"prev", "Previous", "上一篇"},
	{"next", "Next", "下一篇"},
	{"none", "None", "没有了"},
	{"drafted_by", "Drafted by", "撰稿"},
	{"latest", "Latest news", "最新动态"},
	{"top", "Top stories", "置顶新闻"},
	{"more", "More", "更多"},
	{"search", "Search", "搜索"},
	{"search_placeholder", "Search news", "搜索新闻"},
	{"menu", "Menu", "栏目导航"},
	{"not_found", "Page not found", "页面不存在"},
	{"not_found_text", "The page you asked for does not exist or is not public.",
	 "您访问的页面不存在或尚未公开。"},
	{"bad_request", "Bad request", "请求有误"},
	{"bad_request_text", "The address could not be understood.", "无法识别该地址。"},
	{"method_not_allowed", "Method not allowed", "不允许的请求方法"},
	{"unavailable", "Service unavailable", "服务暂不可用"},
	{"unavailable_text", "The site is busy or under maintenance. Please try again shortly.",
	 "网站繁忙或正在维护，请稍后再试。"},
	{"error", "Something went wrong", "出错了"},
	{"error_text", "The page could not be shown. The error was logged.",
	 "页面无法显示，错误已记录。"},
	{"back_home", "Back to the home page", "返回首页"},
	{"address", "Address", "地址"},
	{"zip", "Zip code", "邮编"},
	{"hotline", "Hotline", "热线电话"},
	{"email", "Email", "电子邮箱"},
	{"support", "Technical support", "技术支持"},
	{"no_articles", "No articles yet.", "暂无文章。"},
	{"pages", "Pages", "分页"},
	{"login", "Log in", "登录"},
	{"dashboard", "Articles", "文章管理"},
	{"editor_menu", "Editor menu", "管理菜单"},
	{"users", "Users", "用户"},
	{"categories", "Categories", "栏目"},
	{"settings", "Settings", "站点设置"},
	{"audit", "Audit log", "操作日志"},
	{"account", "My account", "我的账号"},
	{"new_article", "New article", "新建文章"},
	{"all", "All", "全部"},
	{"filter", "Filter", "筛选"},
	{"articles_found", "articles", "篇文章"},
	{"deleted_notice", "The article was deleted.", "文章已删除。"},
	{"summary", "Summary", "摘要"},
	{"body", "Body (Markdown)", "正文（Markdown）"},
	{"body_hint", "Markdown: **bold**, *italic*, [link](https://…), a line of its own ![caption](image) becomes a figure.",
	 "Markdown 格式：**粗体**、*斜体*、[链接](https://…)；单独一行的 ![图注](图片) 显示为带图注的图片。"},
	{"preview", "Preview", "预览"},
	{"upload_image", "Insert an image", "插入图片"},
	{"upload", "Upload", "上传"},
	{"upload_done", "Uploaded. Paste this line into the article body:", "上传成功。请把下面这一行粘贴到正文中："},
	{"upload_markdown", "Markdown", "Markdown 代码"},
	{"upload_not_image", "That file is not a JPEG, PNG, GIF or WebP image.", "该文件不是 JPEG、PNG、GIF 或 WebP 图片。"},
	{"upload_too_big", "That image is larger than 10 MiB.", "图片超过 10 MiB。"},
	{"upload_failed", "The image could not be stored: choose an image file and try again.", "图片无法保存：请选择图片文件后重试。"},
	{"choose_image", "Image file", "图片文件"},
	{"caption", "Caption", "图注"},
	{"upload_hint", "Or drop an image onto the body.", "也可以把图片拖到正文里。"},
	{"upload_without_js", "Upload without JavaScript", "不使用脚本上传"},
	{"cover", "Cover image number", "封面图片编号"},
	{"pinned", "Pinned (top story)", "置顶"},
	{"publish_time", "Publish time", "发布时间"},
	{"save", "Save", "保存"},
	{"publish", "Publish now", "立即发布"},
	{"schedule", "Schedule", "定时发布"},
	{"unpublish", "Unpublish", "撤回"},
	{"archive", "Archive", "归档"},
	{"delete", "Delete", "删除"},
	{"cancel", "Cancel", "取消"},
	{"confirm_delete", "Delete this article? Visitors will no longer see it.",
	 "确定删除这篇文章吗？删除后访客将无法看到。"},
	{"status_draft", "Draft", "草稿"},
	{"status_scheduled", "Scheduled", "定时发布"},
	{"status_published", "Published", "已发布"},
	{"status_archived", "Archived", "已归档"},
	{"saved", "Saved.", "已保存。"},
	{"form_has_errors", "The article was not saved: see the marked fields.",
	 "文章未保存：请检查标出的字段。"},
	{"unsaved_warning", "You have unsaved changes.", "有未保存的修改。"},
	{"revisions", "Revisions", "修订历史"},
	{"view_public", "View on the site", "查看页面"},
	{"col_title", "Title", "标题"},
	{"col_status", "Status", "状态"},
	{"col_category", "Category", "栏目"},
	{"col_author", "Author", "作者"},
	{"col_updated", "Last change", "最后修改"},
	{"logout", "Log out", "退出登录"},
	{"username", "User name", "用户名"},
	{"password", "Password", "密码"},
	{"login_failed", "Wrong user name or password.", "用户名或密码错误。"},
	{"login_throttled", "Too many failed attempts. Please wait a while and try again.",
	 "失败次数过多，请稍后再试。"},
	{"unauthorized", "Please log in", "请先登录"},
	{"forbidden", "Not allowed", "无权访问"},
	{"forbidden_text", "Your account may not do this.", "您的账号无权执行此操作。"},
	{"prev_page", "Previous page", "上一页"},
	{"next_page", "Next page", "下一页"},
	{"page_of_before", "Page ", "第"},
	{"page_of_after", "", "页"},
	{"subcategories", "Sections", "子栏目"},
	{"search_results", "results for", "条结果，关键词："},
	{"search_none", "Nothing matched your search.", "没有找到相关文章。"},
	{"search_empty", "Type a word to search the news.", "请输入要搜索的关键词。"},
	{"search_too_long", "That search is too long: use at most 100 characters.",
	 "搜索内容过长：最多 100 个字符。"},
};

enum { NLABELS = sizeof catalogue / sizeof catalogue[0] };

static int is_zh(const char *lang)
{
	return lang && !strcmp(lang, "zh");
}

const char *i18n_label(const char *lang, const char *key)
{
	for (size_t i = 0; i < NLABELS; i++)
		if (!strcmp(catalogue[i].key, key))
			return is_zh(lang) ? catalogue[i].zh : catalogue[i].en;
	return key;
}

cJSON *i18n_labels(const char *lang)
{
	cJSON *t = cJSON_CreateObject();
	for (size_t i = 0; i < NLABELS; i++)
		cJSON_AddStringToObject(t, catalogue[i].key,
					is_zh(lang) ? catalogue[i].zh : catalogue[i].en);
	return t;
}
