-- CreateTable
CREATE TABLE "Theme" (
    "id" SERIAL NOT NULL,
    "regionId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "problems" TEXT NOT NULL,
    "departmentIds" TEXT NOT NULL DEFAULT '[]',
    "source" TEXT NOT NULL DEFAULT '',
    "adoptedById" INTEGER NOT NULL,
    "adoptedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Theme_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ThemeTask" (
    "id" SERIAL NOT NULL,
    "themeId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "departmentId" INTEGER NOT NULL,
    "deadline" TEXT NOT NULL,
    "createdById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "doneAt" TIMESTAMP(3),
    "doneById" INTEGER,
    "doneNote" TEXT,

    CONSTRAINT "ThemeTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ThemeTicket" (
    "themeId" INTEGER NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "linkedById" INTEGER NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ThemeTicket_pkey" PRIMARY KEY ("themeId","ticketId")
);

-- CreateIndex
CREATE INDEX "Theme_month_regionId_idx" ON "Theme"("month", "regionId");

-- CreateIndex
CREATE INDEX "Theme_regionId_idx" ON "Theme"("regionId");

-- CreateIndex
CREATE INDEX "ThemeTask_themeId_idx" ON "ThemeTask"("themeId");

-- CreateIndex
CREATE INDEX "ThemeTicket_ticketId_idx" ON "ThemeTicket"("ticketId");
