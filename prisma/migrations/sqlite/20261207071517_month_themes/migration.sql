-- CreateTable
CREATE TABLE "Theme" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "regionId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "problems" TEXT NOT NULL,
    "departmentIds" TEXT NOT NULL DEFAULT '[]',
    "source" TEXT NOT NULL DEFAULT '',
    "adoptedById" INTEGER NOT NULL,
    "adoptedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ThemeTask" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "themeId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "departmentId" INTEGER NOT NULL,
    "deadline" TEXT NOT NULL,
    "createdById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "doneAt" DATETIME,
    "doneById" INTEGER,
    "doneNote" TEXT
);

-- CreateTable
CREATE TABLE "ThemeTicket" (
    "themeId" INTEGER NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "linkedById" INTEGER NOT NULL,
    "linkedAt" DATETIME NOT NULL,

    PRIMARY KEY ("themeId", "ticketId")
);

-- CreateIndex
CREATE INDEX "Theme_month_regionId_idx" ON "Theme"("month", "regionId");

-- CreateIndex
CREATE INDEX "Theme_regionId_idx" ON "Theme"("regionId");

-- CreateIndex
CREATE INDEX "ThemeTask_themeId_idx" ON "ThemeTask"("themeId");

-- CreateIndex
CREATE INDEX "ThemeTicket_ticketId_idx" ON "ThemeTicket"("ticketId");
